using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

// Raw-SQL migrations with the shapes real histories have: a NULLing UPDATE with a WHERE, an UPDATE that makes
// values equal, and a unique index over them that fails on real data only after the UPDATE before it ran.
namespace MimoSample.Migrations
{
    [DbContext(typeof(MemoryContext))]
    [Migration("20261202100000_BlankSummaries")]
    public partial class BlankSummaries : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("UPDATE \"Engrams\" SET \"Summary\" = NULL WHERE \"Id\" > 1;");
    }

    [DbContext(typeof(MemoryContext))]
    [Migration("20261202100100_SameContent")]
    public partial class SameContent : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("UPDATE \"Engrams\" SET \"Content\" = 'same';");
    }

    [DbContext(typeof(MemoryContext))]
    [Migration("20261202100200_UniqueContent")]
    public partial class UniqueContent : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("CREATE UNIQUE INDEX \"IX_Engrams_Content_Unique\" ON \"Engrams\" (\"Content\");");
    }
}
