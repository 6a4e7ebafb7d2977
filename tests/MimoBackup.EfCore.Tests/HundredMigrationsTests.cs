using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// 110 migrations in one update, as long histories have them: one in ten NULLs a slice of values with a WHERE,
/// the others add a column in place. Generated once by a short script; each class is one line on purpose.
/// </summary>
public sealed class HundredMigrationsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_110_migration_update_prints_a_plan_and_a_report_under_2_KB()
    {
        var database = _temp.File("app.db");
        using (var connection = TempFolder.Open(database))
        {
            TempFolder.Execute(connection, "CREATE TABLE Items (Id INTEGER PRIMARY KEY, V TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO Items SELECT i, 'v' || i FROM n;");
        }

        var lines = new List<string>();
        using (var context = new HundredContext("Data Source=" + database, _temp.File("backups"), lines))
        {
            context.Database.Migrate();
        }

        var ours = lines.Where(l => l.StartsWith("Mimo: ", StringComparison.Ordinal) || l.StartsWith("  ", StringComparison.Ordinal)).ToList();
        var plan = Assert.Single(ours, l => l.StartsWith("Mimo: plan for", StringComparison.Ordinal));
        Assert.Contains("110 migrations, 11 with data-changing operations: ", plan, StringComparison.Ordinal);
        Assert.EndsWith("; 1 more in audit.jsonl.", plan, StringComparison.Ordinal);
        var rehearsal = Assert.Single(ours, l => l.StartsWith("Mimo: rehearsal passed", StringComparison.Ordinal));
        Assert.Contains("the update will change: 100 values set to NULL", rehearsal, StringComparison.Ordinal);
        Assert.True(string.Join("\n", ours).Length < 2048, string.Join("\n", ours));
        Assert.Equal(110, TempFolder.Scalar(database, "SELECT count(*) FROM __EFMigrationsHistory"));
    }

    [Fact]
    public void A_refusal_of_a_110_migration_skip_puts_the_remedy_first_in_under_1_KB()
    {
        var database = _temp.File("app.db");
        using (var connection = TempFolder.Open(database))
        {
            TempFolder.Execute(connection, "CREATE TABLE Items (Id INTEGER PRIMARY KEY, V TEXT); INSERT INTO Items VALUES (1, 'v');");
        }

        using var context = new HundredContext("Data Source=" + database, _temp.File("backups"), [], skip: true);
        var refusal = Assert.Throws<MimoBackupException>(() => context.Database.Migrate());

        Assert.Equal("MIMO301", refusal.Error.Code);
        Assert.StartsWith("MIMO301: Refused: take a backup first (dotnet msbuild -t:MimoBackup)", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("8 more in the plan above", refusal.Message, StringComparison.Ordinal);
        Assert.True(refusal.Message.Length < 1024, refusal.Message);
    }
}

public sealed class HundredContext(string connectionString, string backups, List<string> lines, bool skip = false) : DbContext
{
    protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseTestSqlite(connectionString, backups, lines, o => o.SkipBackup(skip));
}
[DbContext(typeof(HundredContext))][Migration("20260501000001_Step001")] public sealed class HundredStep001 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C1 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000002_Step002")] public sealed class HundredStep002 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C2 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000003_Step003")] public sealed class HundredStep003 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C3 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000004_Step004")] public sealed class HundredStep004 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C4 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000005_Step005")] public sealed class HundredStep005 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C5 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000006_Step006")] public sealed class HundredStep006 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C6 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000007_Step007")] public sealed class HundredStep007 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C7 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000008_Step008")] public sealed class HundredStep008 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C8 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000009_Step009")] public sealed class HundredStep009 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C9 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000010_Step010")] public sealed class HundredStep010 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 1;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000011_Step011")] public sealed class HundredStep011 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C11 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000012_Step012")] public sealed class HundredStep012 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C12 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000013_Step013")] public sealed class HundredStep013 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C13 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000014_Step014")] public sealed class HundredStep014 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C14 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000015_Step015")] public sealed class HundredStep015 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C15 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000016_Step016")] public sealed class HundredStep016 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C16 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000017_Step017")] public sealed class HundredStep017 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C17 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000018_Step018")] public sealed class HundredStep018 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C18 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000019_Step019")] public sealed class HundredStep019 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C19 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000020_Step020")] public sealed class HundredStep020 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 2;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000021_Step021")] public sealed class HundredStep021 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C21 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000022_Step022")] public sealed class HundredStep022 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C22 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000023_Step023")] public sealed class HundredStep023 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C23 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000024_Step024")] public sealed class HundredStep024 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C24 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000025_Step025")] public sealed class HundredStep025 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C25 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000026_Step026")] public sealed class HundredStep026 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C26 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000027_Step027")] public sealed class HundredStep027 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C27 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000028_Step028")] public sealed class HundredStep028 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C28 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000029_Step029")] public sealed class HundredStep029 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C29 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000030_Step030")] public sealed class HundredStep030 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 3;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000031_Step031")] public sealed class HundredStep031 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C31 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000032_Step032")] public sealed class HundredStep032 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C32 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000033_Step033")] public sealed class HundredStep033 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C33 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000034_Step034")] public sealed class HundredStep034 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C34 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000035_Step035")] public sealed class HundredStep035 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C35 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000036_Step036")] public sealed class HundredStep036 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C36 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000037_Step037")] public sealed class HundredStep037 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C37 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000038_Step038")] public sealed class HundredStep038 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C38 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000039_Step039")] public sealed class HundredStep039 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C39 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000040_Step040")] public sealed class HundredStep040 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 4;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000041_Step041")] public sealed class HundredStep041 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C41 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000042_Step042")] public sealed class HundredStep042 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C42 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000043_Step043")] public sealed class HundredStep043 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C43 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000044_Step044")] public sealed class HundredStep044 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C44 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000045_Step045")] public sealed class HundredStep045 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C45 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000046_Step046")] public sealed class HundredStep046 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C46 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000047_Step047")] public sealed class HundredStep047 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C47 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000048_Step048")] public sealed class HundredStep048 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C48 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000049_Step049")] public sealed class HundredStep049 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C49 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000050_Step050")] public sealed class HundredStep050 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 5;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000051_Step051")] public sealed class HundredStep051 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C51 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000052_Step052")] public sealed class HundredStep052 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C52 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000053_Step053")] public sealed class HundredStep053 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C53 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000054_Step054")] public sealed class HundredStep054 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C54 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000055_Step055")] public sealed class HundredStep055 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C55 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000056_Step056")] public sealed class HundredStep056 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C56 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000057_Step057")] public sealed class HundredStep057 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C57 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000058_Step058")] public sealed class HundredStep058 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C58 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000059_Step059")] public sealed class HundredStep059 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C59 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000060_Step060")] public sealed class HundredStep060 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 6;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000061_Step061")] public sealed class HundredStep061 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C61 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000062_Step062")] public sealed class HundredStep062 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C62 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000063_Step063")] public sealed class HundredStep063 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C63 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000064_Step064")] public sealed class HundredStep064 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C64 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000065_Step065")] public sealed class HundredStep065 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C65 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000066_Step066")] public sealed class HundredStep066 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C66 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000067_Step067")] public sealed class HundredStep067 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C67 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000068_Step068")] public sealed class HundredStep068 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C68 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000069_Step069")] public sealed class HundredStep069 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C69 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000070_Step070")] public sealed class HundredStep070 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 7;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000071_Step071")] public sealed class HundredStep071 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C71 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000072_Step072")] public sealed class HundredStep072 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C72 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000073_Step073")] public sealed class HundredStep073 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C73 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000074_Step074")] public sealed class HundredStep074 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C74 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000075_Step075")] public sealed class HundredStep075 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C75 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000076_Step076")] public sealed class HundredStep076 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C76 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000077_Step077")] public sealed class HundredStep077 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C77 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000078_Step078")] public sealed class HundredStep078 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C78 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000079_Step079")] public sealed class HundredStep079 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C79 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000080_Step080")] public sealed class HundredStep080 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 8;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000081_Step081")] public sealed class HundredStep081 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C81 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000082_Step082")] public sealed class HundredStep082 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C82 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000083_Step083")] public sealed class HundredStep083 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C83 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000084_Step084")] public sealed class HundredStep084 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C84 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000085_Step085")] public sealed class HundredStep085 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C85 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000086_Step086")] public sealed class HundredStep086 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C86 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000087_Step087")] public sealed class HundredStep087 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C87 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000088_Step088")] public sealed class HundredStep088 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C88 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000089_Step089")] public sealed class HundredStep089 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C89 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000090_Step090")] public sealed class HundredStep090 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 9;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000091_Step091")] public sealed class HundredStep091 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C91 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000092_Step092")] public sealed class HundredStep092 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C92 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000093_Step093")] public sealed class HundredStep093 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C93 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000094_Step094")] public sealed class HundredStep094 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C94 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000095_Step095")] public sealed class HundredStep095 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C95 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000096_Step096")] public sealed class HundredStep096 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C96 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000097_Step097")] public sealed class HundredStep097 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C97 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000098_Step098")] public sealed class HundredStep098 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C98 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000099_Step099")] public sealed class HundredStep099 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C99 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000100_Step100")] public sealed class HundredStep100 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 0;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000101_Step101")] public sealed class HundredStep101 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C101 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000102_Step102")] public sealed class HundredStep102 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C102 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000103_Step103")] public sealed class HundredStep103 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C103 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000104_Step104")] public sealed class HundredStep104 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C104 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000105_Step105")] public sealed class HundredStep105 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C105 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000106_Step106")] public sealed class HundredStep106 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C106 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000107_Step107")] public sealed class HundredStep107 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C107 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000108_Step108")] public sealed class HundredStep108 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C108 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000109_Step109")] public sealed class HundredStep109 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("ALTER TABLE Items ADD COLUMN C109 INTEGER;"); }
[DbContext(typeof(HundredContext))][Migration("20260501000110_Step110")] public sealed class HundredStep110 : Migration { protected override void Up(MigrationBuilder m) => m.Sql("UPDATE Items SET V = NULL WHERE Id % 10 = 1;"); }
