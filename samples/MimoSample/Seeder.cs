using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace MimoSample;

/// <summary>
/// Inserts sample memories with plain SQL rather than through the model, so that seeding works at
/// any migration, e.g. right after `dotnet ef database update Initial`, when the model's newer
/// columns do not exist yet and the since-dropped LegacyScore still does (and should hold data).
/// </summary>
public static class Seeder
{
    private static readonly string[] ChainNames =
        ["Temporal Memory Chains", "Emergence Patterns", "Operational Memories", "Incident Reviews"];

    private static readonly string[] Labels =
        ["migration", "backup", "schema", "insight", "incident", "decision", "todo"];

    private static readonly string[] Subjects =
        ["the nightly import", "schema change", "WAL checkpoint", "retention policy", "restore drill", "user feedback"];

    public static (int Engrams, int Tags) Seed(MemoryContext db, int count)
    {
        var database = db.Database;
        var hasLegacyScore = database
            .SqlQuery<int>($"SELECT COUNT(*) AS Value FROM pragma_table_info('Engrams') WHERE name = 'LegacyScore'")
            .AsEnumerable().Single() > 0;

        using var transaction = database.BeginTransaction();
        var chainIds = ChainNames.Select(name => EnsureChain(database, name)).ToArray();
        var existing = database.SqlQuery<int>($"SELECT COUNT(*) AS Value FROM Engrams").AsEnumerable().Single();
        var random = new Random(existing);
        var tags = 0;

        for (var i = 0; i < count; i++)
        {
            var number = existing + i + 1;
            var chainId = chainIds[number % chainIds.Length];
            var content = $"Memory #{number}: noticed something about {Subjects[random.Next(Subjects.Length)]}.";
            var importance = Math.Round(random.NextDouble(), 3);
            var createdAt = DateTime.UtcNow.AddMinutes(-random.Next(60 * 24 * 90));

            var engramId = hasLegacyScore
                ? Insert(database, $"INSERT INTO Engrams (ChainId, Content, Importance, CreatedAt, LegacyScore) VALUES ({chainId}, {content}, {importance}, {createdAt}, {Math.Round(importance * 100)}) RETURNING Id AS Value")
                : Insert(database, $"INSERT INTO Engrams (ChainId, Content, Importance, CreatedAt) VALUES ({chainId}, {content}, {importance}, {createdAt}) RETURNING Id AS Value");

            foreach (var label in Labels.OrderBy(_ => random.Next()).Take(1 + random.Next(3)))
            {
                tags += database.ExecuteSql($"INSERT INTO Tags (EngramId, Label) VALUES ({engramId}, {label})");
            }
        }

        transaction.Commit();
        return (count, tags);
    }

    private static long EnsureChain(DatabaseFacade database, string name) =>
        database.SqlQuery<long>($"SELECT Id AS Value FROM MemoryChains WHERE Name = {name}").AsEnumerable().FirstOrDefault() is var id and > 0
            ? id
            : Insert(database, $"INSERT INTO MemoryChains (Name, CreatedAt) VALUES ({name}, {DateTime.UtcNow}) RETURNING Id AS Value");

    private static long Insert(DatabaseFacade database, FormattableString sql) =>
        database.SqlQuery<long>(sql).AsEnumerable().Single();
}
