using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MimoSample.Migrations
{
    /// <inheritdoc />
    public partial class AddEngramMood : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Added by raw SQL, so no target model of a later migration knows this column.
            migrationBuilder.Sql("ALTER TABLE \"Engrams\" ADD COLUMN \"Mood\" TEXT NULL;");
            migrationBuilder.Sql("UPDATE \"Engrams\" SET \"Mood\" = 'calm';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE \"Engrams\" DROP COLUMN \"Mood\";");
        }
    }
}
