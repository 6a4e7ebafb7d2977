using Microsoft.EntityFrameworkCore.Migrations.Operations;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class OperationClassifierTests
{
    private static readonly string[] NotesColumns = ["Id", "Title", "Body", "Mood"];
    private static readonly string[] NotesModel = ["Id", "Title", "Body"];

    private static IReadOnlyList<string> Classify(params MigrationOperation[] operations)
        => OperationClassifier.Classify(
            operations,
            table => table == "Notes" ? NotesColumns : null,
            table => table == "Notes" ? NotesModel : null);

    [Fact]
    public void Classify_drops_are_destructive()
    {
        var found = Classify(
            new DropTableOperation { Name = "Tags" },
            new DropColumnOperation { Table = "Notes", Name = "Body" },
            new DropSchemaOperation { Name = "archive" },
            new DeleteDataOperation { Table = "Notes", KeyColumns = ["Id"], KeyValues = new object[,] { { 1 } } });

        Assert.Contains("DropTable Tags", found);
        Assert.Contains("DropColumn Notes.Body", found);
        Assert.Contains("DropSchema archive", found);
        Assert.Contains("DeleteData Notes", found);
    }

    [Fact]
    public void Classify_safe_operations_find_nothing()
    {
        Assert.Empty(OperationClassifier.Classify(
            [
                new CreateTableOperation { Name = "Tags" },
                new AddColumnOperation { Table = "Notes", Name = "Summary", ClrType = typeof(string), IsNullable = true },
                new CreateIndexOperation { Name = "IX", Table = "Notes", Columns = ["Title"] },
                new RenameColumnOperation { Table = "Notes", Name = "Title", NewName = "Heading" },
                new SqlOperation { Sql = "CREATE TRIGGER Touch AFTER UPDATE ON Notes BEGIN SELECT 1; END" },
            ],
            _ => null,
            _ => null));
    }

    [Fact]
    public void UpdateData_and_an_UPDATE_with_a_WHERE_change_data()
    {
        var found = OperationClassifier.Classify(
            [
                new UpdateDataOperation { Table = "Notes", KeyColumns = ["Id"], KeyValues = new object?[,] { { 1 } }, Columns = ["Body"], Values = new object?[,] { { null } } },
                new SqlOperation { Sql = "UPDATE Notes SET Body = NULL WHERE Id = 2" },
            ],
            _ => null,
            _ => null);

        Assert.Equal(["UpdateData Notes", "Sql \"UPDATE Notes SET Body = NULL WHERE Id = 2\""], found);
    }

    [Theory]
    [InlineData(true, false, null, null, "made non-nullable")]
    [InlineData(true, true, 200, 100, "max length 200 → 100")]
    [InlineData(true, true, null, 100, "max length unbounded → 100")]
    public void Narrowing_columns_that_can_lose_values_are_found(bool oldNullable, bool nullable, int? oldLength, int? length, string expected)
    {
        var alter = new AlterColumnOperation
        {
            Table = "Notes",
            Name = "Title",
            ClrType = typeof(string),
            IsNullable = nullable,
            MaxLength = length,
            OldColumn = new AddColumnOperation { Table = "Notes", Name = "Title", ClrType = typeof(string), IsNullable = oldNullable, MaxLength = oldLength },
        };

        Assert.Equal(expected, OperationClassifier.Narrowing(alter));
    }

    [Fact]
    public void Narrowing_widening_a_column_is_safe()
    {
        var alter = new AlterColumnOperation
        {
            Table = "Notes",
            Name = "Title",
            ClrType = typeof(string),
            IsNullable = true,
            MaxLength = 400,
            OldColumn = new AddColumnOperation { Table = "Notes", Name = "Title", ClrType = typeof(string), IsNullable = false, MaxLength = 200 },
        };

        Assert.Null(OperationClassifier.Narrowing(alter));
    }

    [Fact]
    public void Narrowing_type_change_is_found()
    {
        var alter = new AlterColumnOperation
        {
            Table = "Notes",
            Name = "Score",
            ClrType = typeof(int),
            ColumnType = "INTEGER",
            OldColumn = new AddColumnOperation { Table = "Notes", Name = "Score", ClrType = typeof(string), ColumnType = "TEXT" },
        };

        Assert.Equal("type TEXT → INTEGER", OperationClassifier.Narrowing(alter));
    }

    public static TheoryData<MigrationOperation> RebuildingOperations() =>
    [
        new AlterColumnOperation { Table = "Notes", Name = "Title", ClrType = typeof(string), OldColumn = new AddColumnOperation { Table = "Notes", Name = "Title", ClrType = typeof(string) } },
        new AddPrimaryKeyOperation { Table = "Notes", Name = "PK", Columns = ["Id"] },
        new DropPrimaryKeyOperation { Table = "Notes", Name = "PK" },
        new AddUniqueConstraintOperation { Table = "Notes", Name = "AK", Columns = ["Title"] },
        new DropUniqueConstraintOperation { Table = "Notes", Name = "AK" },
        new AddCheckConstraintOperation { Table = "Notes", Name = "CK", Sql = "Id > 0" },
        new DropCheckConstraintOperation { Table = "Notes", Name = "CK" },
        new AddForeignKeyOperation { Table = "Notes", Name = "FK", Columns = ["Id"], PrincipalTable = "Chains", PrincipalColumns = ["Id"] },
        new DropForeignKeyOperation { Table = "Notes", Name = "FK" },
        new AlterTableOperation { Name = "Notes", Comment = "memories" },
    ];

    [Theory]
    [MemberData(nameof(RebuildingOperations))]
    public void Classify_each_sqlite_table_rebuild_that_leaves_a_column_behind_is_destructive(MigrationOperation operation)
    {
        Assert.Contains("Rebuild Notes drops column Mood", Classify(operation));
    }

    [Fact]
    public void Classify_rebuild_after_the_column_was_dropped_explicitly_is_reported_once()
    {
        var found = Classify(new DropColumnOperation { Table = "Notes", Name = "Mood" });

        Assert.Equal(["DropColumn Notes.Mood"], found);
    }

    [Theory]
    [InlineData("DELETE FROM Notes WHERE Id = 1")]
    [InlineData("delete from Notes")]
    [InlineData("DROP TABLE Notes")]
    [InlineData("ALTER TABLE Notes DROP COLUMN Body")]
    [InlineData("TRUNCATE TABLE Notes")]
    [InlineData("UPDATE Notes SET Body = NULL")]
    [InlineData("update \"Notes\"\n   set \"Body\" = ''")]
    [InlineData("INSERT INTO Log VALUES (1); UPDATE Notes SET Body = NULL")]
    [InlineData("UPDATE Notes SET Body = NULL -- WHERE Id = 1")]
    [InlineData("UPDATE Notes SET Body = 'WHERE'")]
    [InlineData("UPDATE Notes SET Body = (SELECT Title FROM Drafts WHERE Drafts.Id = 1)")]
    [InlineData("REPLACE INTO Notes (Id, Body) VALUES (1, 'x')")]
    [InlineData("insert or replace into Notes (Id, Body) values (1, 'x')")]
    [InlineData("UPDATE Notes SET Body = NULL WHERE Id > 10")]
    [InlineData("UPDATE Notes SET Body = '' WHERE Body IS NULL")]
    [InlineData("update Notes set Body = 'x' where Id in (select Id from Notes)")]
    [InlineData("UPDATE Notes SET Body = replace(Body, 'a', 'b') WHERE Id = 1")]
    [InlineData("WITH old AS (SELECT Id FROM Notes) UPDATE Notes SET Body = NULL WHERE Id IN old")]
    [InlineData("INSERT INTO Notes (Id, Body) VALUES (1, 'x') ON CONFLICT (Id) DO UPDATE SET Body = excluded.Body")]
    public void DestructiveStatement_finds_data_losing_sql(string sql)
    {
        Assert.NotNull(OperationClassifier.DestructiveStatement(sql));
    }

    [Theory]
    [InlineData("CREATE TABLE Lines (Id INTEGER PRIMARY KEY, NoteId INTEGER REFERENCES Notes (Id) ON UPDATE CASCADE)")]
    [InlineData("-- DROP TABLE Notes\nINSERT INTO Log VALUES (1)")]
    [InlineData("/* DELETE everything? no. */ CREATE INDEX IX ON Notes(Title)")]
    [InlineData("INSERT INTO Log (Message) VALUES ('DROP TABLE Notes; DELETE FROM Notes')")]
    [InlineData("ALTER TABLE Notes ADD COLUMN \"Drop\" TEXT")]
    [InlineData("ALTER TABLE Notes ADD COLUMN [Delete] TEXT")]
    public void DestructiveStatement_leaves_safe_sql_alone(string sql)
    {
        Assert.Null(OperationClassifier.DestructiveStatement(sql));
    }

    [Fact]
    public void Classify_raw_sql_names_the_statement()
    {
        Assert.Equal(["Sql \"DELETE FROM Notes\""], Classify(new SqlOperation { Sql = "INSERT INTO Log VALUES (1);\nDELETE FROM Notes;" }));
    }
}
