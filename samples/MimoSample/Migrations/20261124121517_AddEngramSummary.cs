using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MimoSample.Migrations
{
    /// <inheritdoc />
    public partial class AddEngramSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Summary",
                table: "Engrams",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Summary",
                table: "Engrams");
        }
    }
}
