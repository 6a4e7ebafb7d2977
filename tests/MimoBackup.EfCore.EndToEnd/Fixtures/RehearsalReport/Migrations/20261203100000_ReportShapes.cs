using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

// One update with the shapes an exact report must tell apart: a rename (no loss), a row deleted and another
// inserted in the same table (not "no change"), a parent row deleted with its children by ON DELETE CASCADE, and a
// trigger and an index dropped.
namespace MimoSample.Migrations
{
    [DbContext(typeof(MemoryContext))]
    [Migration("20261203100000_RenameSummary")]
    public partial class RenameSummary : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.RenameColumn(name: "Summary", table: "Engrams", newName: "Abstract");
    }

    [DbContext(typeof(MemoryContext))]
    [Migration("20261203100100_SwapTag")]
    public partial class SwapTag : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("DELETE FROM \"Tags\" WHERE \"Id\" = (SELECT max(\"Id\") FROM \"Tags\"); INSERT INTO \"Tags\" (\"EngramId\", \"Label\") VALUES (2, 'swapped');");
    }

    [DbContext(typeof(MemoryContext))]
    [Migration("20261203100200_DeleteFirstEngram")]
    public partial class DeleteFirstEngram : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("DELETE FROM \"Engrams\" WHERE \"Id\" = 1;");
    }

    [DbContext(typeof(MemoryContext))]
    [Migration("20261203100300_DropAudit")]
    public partial class DropAudit : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.Sql("DROP TRIGGER \"Engrams_Touched\"; DROP INDEX \"IX_Tags_Label\";");
    }
}
