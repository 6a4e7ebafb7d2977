using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;

namespace MimoBackup.EfCore.Tests;

/// <summary>With a skip, a drop of a column that holds no value in the database loses nothing and is not refused.</summary>
public sealed class NoDataAtStakeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Database => _temp.File("app.db");

    private StakeContext Context(List<string>? lines = null) => new("Data Source=" + Database, _temp.File("backups"), lines ?? []);

    private void Seed(string values)
    {
        using (var context = Context())
        {
            context.Database.Migrate(StakeMigrations.Create);
        }

        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "INSERT INTO Notes (Body, Legacy) VALUES " + values);
        }
    }

    [Fact]
    public void Dropping_an_all_NULL_column_with_a_skip_is_no_data_at_stake()
    {
        Seed("('a', NULL), ('b', NULL)");
        var lines = new List<string>();
        using (var context = new StakeContext("Data Source=" + Database, _temp.File("backups"), lines, skip: true))
        {
            context.Database.Migrate();
        }

        Assert.Contains(lines, l => l.Contains("DropColumn Notes.Legacy (no data at stake: it holds no value)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("WITHOUT a backup", StringComparison.Ordinal));
        Assert.Equal(2, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }

    [Fact]
    public void Dropping_a_column_with_one_value_with_a_skip_is_refused()
    {
        Seed("('a', NULL), ('b', 'kept')");
        using var context = new StakeContext("Data Source=" + Database, _temp.File("backups"), [], skip: true);

        var refusal = Assert.Throws<MimoBackupException>(() => context.Database.Migrate());

        Assert.Equal("MIMO301", refusal.Error.Code);
        Assert.Equal(1, TempFolder.Scalar(Database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }
}

public sealed class StakeContext(string connectionString, string backups, List<string> lines, bool skip = false) : DbContext
{
    protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseTestSqlite(connectionString, backups, lines, o => o.SkipBackup(skip));
}

internal static class StakeMigrations
{
    public const string Create = "20260601000000_CreateNotes";
}

[DbContext(typeof(StakeContext))]
[Migration(StakeMigrations.Create)]
public sealed class StakeCreateNotes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateTable(
            "Notes",
            t => new
            {
                Id = t.Column<int>(nullable: false).Annotation("Sqlite:Autoincrement", true),
                Body = t.Column<string>(nullable: true),
                Legacy = t.Column<string>(nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_Notes", x => x.Id));
}

[DbContext(typeof(StakeContext))]
[Migration("20260602000000_DropLegacy")]
public sealed class StakeDropLegacy : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder) => migrationBuilder.DropColumn("Legacy", "Notes");

    // SQLite drops the column by rebuilding the table from this model, as EF's generated Designer files give it.
    protected override void BuildTargetModel(ModelBuilder modelBuilder)
        => modelBuilder.Entity("Note", b =>
        {
            b.Property<int>("Id").ValueGeneratedOnAdd().HasColumnType("INTEGER");
            b.Property<string>("Body").HasColumnType("TEXT");
            b.HasKey("Id");
            b.ToTable("Notes");
        });
}
