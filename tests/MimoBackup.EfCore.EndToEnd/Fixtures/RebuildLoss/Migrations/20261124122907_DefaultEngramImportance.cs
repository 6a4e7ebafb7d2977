using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MimoSample.Migrations
{
    /// <inheritdoc />
    public partial class DefaultEngramImportance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<double>(
                name: "Importance",
                table: "Engrams",
                type: "REAL",
                nullable: false,
                defaultValue: 0.5,
                oldClrType: typeof(double),
                oldType: "REAL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<double>(
                name: "Importance",
                table: "Engrams",
                type: "REAL",
                nullable: false,
                oldClrType: typeof(double),
                oldType: "REAL",
                oldDefaultValue: 0.5);
        }
    }
}
