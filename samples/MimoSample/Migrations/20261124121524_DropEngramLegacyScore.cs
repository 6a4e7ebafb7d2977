using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MimoSample.Migrations
{
    /// <inheritdoc />
    public partial class DropEngramLegacyScore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "LegacyScore",
                table: "Engrams");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "LegacyScore",
                table: "Engrams",
                type: "REAL",
                nullable: true);
        }
    }
}
