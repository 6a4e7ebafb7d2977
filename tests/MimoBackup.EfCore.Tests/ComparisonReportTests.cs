using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class ComparisonReportTests
{
    private static TableCensus Table(string name, long rows, params (string Column, long NonNull)[] columns)
        => new(name, rows, columns.ToDictionary(c => c.Column, c => c.NonNull));

    private static readonly DatabaseCensus Before = new(
    [
        Table("Engrams", 10_234, ("Id", 10_234), ("Content", 10_234), ("Mood", 812)),
        Table("Tags", 500, ("Id", 500), ("Label", 500)),
        Table("__EFMigrationsHistory", 3, ("MigrationId", 3)),
    ]);

    [Fact]
    public void Compare_unchanged_database_reports_nothing()
    {
        Assert.Empty(ComparisonReport.Compare(Before, Before, ["__EFMigrationsHistory"]));
    }

    [Fact]
    public void Compare_emptied_table_is_reported_like_the_seed_incident()
    {
        var after = new DatabaseCensus([Table("Engrams", 0, ("Id", 0), ("Content", 0), ("Mood", 0)), Before.Tables[1], Before.Tables[2]]);

        var loss = ComparisonReport.Compare(Before, after, []).First();

        Assert.Equal("Engrams: 10,234 → 0 rows", loss.ToString());
    }

    [Fact]
    public void Compare_finds_vanished_tables_vanished_columns_and_lost_values()
    {
        var after = new DatabaseCensus(
        [
            Table("Engrams", 10_234, ("Id", 10_234), ("Content", 9_000)),
            Table("__EFMigrationsHistory", 1, ("MigrationId", 1)),
        ]);

        var losses = ComparisonReport.Compare(Before, after, ["__EFMigrationsHistory"]).Select(l => l.ToString()).ToList();

        Assert.Equal(
            ["Engrams.Content: 10,234 → 9,000 non-null values", "Engrams.Mood vanished (had 812 non-null values)", "Tags vanished (had 500 rows)"],
            losses);
    }

    [Fact]
    public void Compare_new_tables_and_columns_are_not_losses()
    {
        var after = new DatabaseCensus([.. Before.Tables, Table("Chains", 4, ("Id", 4))]);

        Assert.Empty(ComparisonReport.Compare(Before, after, ["__EFMigrationsHistory"]));
    }
}
