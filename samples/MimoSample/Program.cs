using Microsoft.EntityFrameworkCore;
using MimoSample;

const string Usage = "usage: dotnet run -- seed [N] | stats | migrate";

using var db = SampleConfiguration.CreateContext();

switch (args)
{
    case ["seed"]:
        Seed(100);
        return 0;
    case ["seed", var n] when int.TryParse(n, out var count) && count > 0:
        Seed(count);
        return 0;
    case ["stats"]:
        Stats();
        return 0;
    case ["migrate"]:
        db.Database.Migrate();
        Console.WriteLine($"Migrated to {db.Database.GetAppliedMigrations().LastOrDefault() ?? "(none)"}.");
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

void Seed(int count)
{
    var (engrams, tags) = Seeder.Seed(db, count);
    Console.WriteLine($"Seeded {engrams} engrams and {tags} tags into {db.Database.GetDbConnection().DataSource}.");
}

void Stats()
{
    Console.WriteLine($"Database: {db.Database.GetDbConnection().DataSource}");
    Console.WriteLine($"Migration: {db.Database.GetAppliedMigrations().LastOrDefault() ?? "(none)"}");

    // Read from the schema, not the model, so that stats work at any migration.
    var tables = db.Database
        .SqlQuery<string>($"SELECT name AS Value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .ToList();
    foreach (var table in tables)
    {
        var count = "SELECT COUNT(*) AS Value FROM \"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        var rows = db.Database.SqlQueryRaw<long>(count).AsEnumerable().Single();
        Console.WriteLine($"  {table,-24} {rows,8:N0} rows");
    }
}
