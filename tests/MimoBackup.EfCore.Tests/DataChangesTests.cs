using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The row-level comparison on real files: a backup, then a copy changed by SQL as migrations change it.</summary>
public sealed class DataChangesTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private DataChangeReport Change(string schemaAndRows, string migration)
    {
        var before = _temp.File("before.db");
        var after = _temp.File("after.db");
        using (var connection = TempFolder.Open(before))
        {
            TempFolder.Execute(connection, schemaAndRows);
        }

        File.Copy(before, after);
        using (var connection = TempFolder.Open(after, "Foreign Keys=True"))
        {
            TempFolder.Execute(connection, migration);
        }

        return DataChanges.Compare(before, after, ["__EFMigrationsHistory"], TimeSpan.FromSeconds(5), CancellationToken.None);
    }

    private const string Notes = """
        CREATE TABLE Notes (Id INTEGER PRIMARY KEY, Body TEXT, Score REAL, Data BLOB);
        INSERT INTO Notes VALUES (1, 'a', 1.5, X'01'), (2, 'b', NULL, X'02'), (3, 'c', 3, NULL), (4, NULL, 4, X'04');
        CREATE TABLE __EFMigrationsHistory (MigrationId TEXT PRIMARY KEY, ProductVersion TEXT);
        INSERT INTO __EFMigrationsHistory VALUES ('1_Init', '10.0');
        """;

    [Fact]
    public void A_row_deleted_and_another_inserted_are_both_reported_not_netted_out()
    {
        var report = Change(Notes, "DELETE FROM Notes WHERE Id = 2; INSERT INTO Notes VALUES (9, 'new', 0, NULL); DELETE FROM __EFMigrationsHistory");

        var notes = Assert.Single(report.Tables, t => t.Table == "Notes");
        Assert.Equal((1L, 1L), (notes.Deleted, notes.Inserted));
        Assert.True(report.LosesData);
        Assert.Equal("1 row deleted; 1 row inserted", report.Summary());
        Assert.DoesNotContain(report.Tables, t => t.Table == "__EFMigrationsHistory");
    }

    [Fact]
    public void Values_set_to_NULL_and_changed_are_counted_per_column()
    {
        var report = Change(Notes, "UPDATE Notes SET Body = NULL WHERE Id <= 2; UPDATE Notes SET Data = X'FF' WHERE Id = 4; UPDATE Notes SET Score = 3.0 WHERE Id = 3");

        var notes = Assert.Single(report.Tables);
        Assert.Equal(2, notes.Columns.Single(c => c.Column == "Body").Nulled);
        Assert.Equal(1, notes.Columns.Single(c => c.Column == "Data").Changed);
        Assert.DoesNotContain(notes.Columns, c => c.Column == "Score"); // 3 and 3.0 are the same number.
        Assert.Equal(3, notes.ChangedRows);
        Assert.Contains(report.Findings(), f => f.Text == "Notes.Body: 2 values set to NULL");
    }

    [Fact]
    public void A_renamed_column_is_renamed_and_a_dropped_one_vanished_with_its_values()
    {
        var report = Change(Notes, "ALTER TABLE Notes RENAME COLUMN Body TO Text; ALTER TABLE Notes DROP COLUMN Score");

        var columns = Assert.Single(report.Tables).Columns;
        Assert.Equal("Text", columns.Single(c => c.Column == "Body").RenamedTo);
        var score = columns.Single(c => c.Column == "Score");
        Assert.True(score.Vanished);
        Assert.Equal(3, score.NonNullBefore);
        Assert.Equal("3 values in dropped columns; 1 rename with values intact", report.Summary());
    }

    [Fact]
    public void A_column_renamed_in_an_update_that_also_deletes_rows_is_still_renamed()
    {
        var report = Change(Notes, "ALTER TABLE Notes RENAME COLUMN Body TO Text; DELETE FROM Notes WHERE Id = 1");

        var notes = Assert.Single(report.Tables);
        Assert.Equal("Text", notes.Columns.Single(c => c.Column == "Body").RenamedTo);
        Assert.Equal(1, notes.Deleted);
        Assert.Equal("1 row deleted; 1 rename with values intact", report.Summary());
    }

    [Fact]
    public void A_rebuild_that_renumbers_rowids_changes_nothing_when_rows_are_matched_by_their_key()
    {
        const string Tags = """
            CREATE TABLE Tags (Code TEXT NOT NULL PRIMARY KEY, Label TEXT);
            INSERT INTO Tags VALUES ('a', 'A'), ('b', 'B'), ('c', 'C'), ('d', NULL);
            DELETE FROM Tags WHERE Code = 'b';
            """;

        // EF's SQLite rebuild: copy into a new table, drop the old one, rename; rowids 1, 3, 4 become 1, 2, 3.
        var report = Change(Tags, """
            CREATE TABLE ef_temp_Tags (Code TEXT NOT NULL PRIMARY KEY, Label TEXT, Extra INTEGER);
            INSERT INTO ef_temp_Tags (Code, Label) SELECT Code, Label FROM Tags;
            DROP TABLE Tags;
            ALTER TABLE ef_temp_Tags RENAME TO Tags;
            """);

        var tags = Assert.Single(report.Tables);
        Assert.Equal("primary key", tags.MatchedBy);
        Assert.False(report.LosesData, report.Summary());
        Assert.Equal((0L, 0L, 0L), (tags.Deleted, tags.Inserted, tags.ChangedRows));
    }

    [Fact]
    public void Without_rowid_tables_are_matched_by_primary_key()
    {
        var report = Change(
            "CREATE TABLE Pairs (A TEXT, B INTEGER, V TEXT, PRIMARY KEY (A, B)) WITHOUT ROWID; INSERT INTO Pairs VALUES ('x', 1, 'one'), ('x', 2, 'two'), ('y', 1, 'three')",
            "UPDATE Pairs SET V = NULL WHERE A = 'x' AND B = 2; DELETE FROM Pairs WHERE A = 'y'");

        var pairs = Assert.Single(report.Tables);
        Assert.Equal((1L, 1L), (pairs.Deleted, pairs.Columns.Single().Nulled));
    }

    [Fact]
    public void Rows_deleted_by_a_cascade_are_attributed_to_the_parent()
    {
        var report = Change("""
            CREATE TABLE Customers (Id INTEGER PRIMARY KEY, Name TEXT);
            CREATE TABLE Orders (Id INTEGER PRIMARY KEY, CustomerId INTEGER REFERENCES Customers (Id) ON DELETE CASCADE, Total REAL);
            INSERT INTO Customers VALUES (1, 'Ada'), (2, 'Bob');
            INSERT INTO Orders VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30), (4, 2, 40);
            """, "DELETE FROM Customers WHERE Id = 1; DELETE FROM Orders WHERE Id = 4");

        var orders = Assert.Single(report.Tables, t => t.Table == "Orders");
        Assert.Equal(3, orders.Deleted);
        Assert.Equal(new CascadeDeletion("Customers", 2), Assert.Single(orders.Cascades));
        Assert.Contains(report.Findings(), f => f.Text == "Orders: 2 rows deleted by ON DELETE CASCADE from Customers");
        Assert.Contains(report.Findings(), f => f.Text == "Orders: 1 row deleted (of 4)");
    }

    [Fact]
    public void Dropped_indexes_triggers_views_tables_and_renamed_tables_are_reported()
    {
        var report = Change(Notes + """
            CREATE INDEX IX_Notes_Body ON Notes (Body);
            CREATE TRIGGER Notes_Touch AFTER UPDATE ON Notes BEGIN SELECT 1; END;
            CREATE VIEW Bodies AS SELECT Body FROM Notes;
            CREATE TABLE Legacy (X); INSERT INTO Legacy VALUES (1), (2);
            CREATE TABLE Old (K INTEGER PRIMARY KEY, V); INSERT INTO Old VALUES (1, 'v');
            """, "DROP INDEX IX_Notes_Body; DROP TRIGGER Notes_Touch; DROP VIEW Bodies; DROP TABLE Legacy; ALTER TABLE Old RENAME TO New");

        Assert.Equal(["index IX_Notes_Body", "trigger Notes_Touch", "view Bodies"], report.Vanished.Select(v => v.Type + " " + v.Name));
        Assert.True(Assert.Single(report.Tables, t => t.Table == "Legacy").Vanished);
        Assert.Equal("New", Assert.Single(report.Tables, t => t.Table == "Old").RenamedTo);
        Assert.Equal("table Legacy vanished with 2 rows", report.Findings()[0].Text);
    }

    [Fact]
    public void A_foreign_key_lost_in_a_rebuild_is_reported_and_one_kept_under_a_renamed_column_is_not()
    {
        var report = Change("""
            CREATE TABLE Customers (Id INTEGER PRIMARY KEY);
            CREATE TABLE Orders (Id INTEGER PRIMARY KEY, CustomerId INTEGER REFERENCES Customers (Id), BuyerId INTEGER REFERENCES Customers (Id));
            INSERT INTO Customers VALUES (1); INSERT INTO Orders VALUES (1, 1, 1);
            """, """
            CREATE TABLE ef_temp_Orders (Id INTEGER PRIMARY KEY, CustomerId INTEGER, Buyer INTEGER REFERENCES Customers (Id));
            INSERT INTO ef_temp_Orders SELECT Id, CustomerId, BuyerId FROM Orders;
            DROP TABLE Orders;
            ALTER TABLE ef_temp_Orders RENAME TO Orders;
            """);

        var foreignKey = Assert.Single(report.Vanished);
        Assert.Equal(("foreign key", "(CustomerId) → Customers", "Orders"), (foreignKey.Type, foreignKey.Name, foreignKey.Table));
        Assert.Equal("Buyer", Assert.Single(report.Tables, t => t.Table == "Orders").Columns.Single().RenamedTo);
    }

    [Fact]
    public void A_long_report_prints_ten_findings_and_points_at_the_audit_log()
    {
        var tables = string.Concat(Enumerable.Range(1, 15).Select(i => $"CREATE TABLE T{i} (Id INTEGER PRIMARY KEY, V TEXT); INSERT INTO T{i} VALUES (1, 'x'), (2, 'y');"));
        var report = Change(tables, string.Concat(Enumerable.Range(1, 15).Select(i => $"UPDATE T{i} SET V = NULL;")));

        var lines = report.Lines();
        Assert.Equal(12, lines.Count);
        Assert.Equal("30 values set to NULL", lines[0]);
        Assert.Equal("  5 more in audit.jsonl", lines[^1]);
        Assert.Equal(15, report.ToJson()["tables"]!.AsArray().Count);
    }

    [Fact]
    public void Identical_files_change_nothing()
    {
        var report = Change(Notes, "SELECT 1");
        Assert.False(report.LosesData);
        Assert.Equal("no row or value lost", report.Summary());
        Assert.Empty(report.Findings());
    }
}
