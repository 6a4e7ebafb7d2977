namespace MimoBackup.EfCore.EndToEnd;

/// <summary>
/// A solution laid out as many are: the DbContext and its migrations in <c>Data</c>, the app in <c>App</c>, commands
/// typed in the solution folder. The targets must find the database dotnet-ef finds, and the hints they print must
/// work where they are printed.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MultiProjectTests(PackedPackage package, ITestOutputHelper log)
{
    [Fact]
    public void Data_and_App_projects_from_the_solution_folder_back_up_restore_and_report_the_database_dotnet_ef_uses()
    {
        var root = Path.Combine(package.Root, "apps", "multi-project");
        WriteSolution(root);
        ProcessRunner.Run(root, "dotnet", ["tool", "restore"]).ShouldSucceed();
        Log(ProcessRunner.Run(root, "dotnet", ["build", "--nologo", "App/App.csproj"])).ShouldSucceed();

        // dotnet-ef runs ef.dll in App's folder: "Data Source=shop.db" is App/shop.db.
        var database = Path.Combine(root, "App", "shop.db");
        Log(Ef(root, "20260101000000_CreateProducts")).ShouldSucceed();
        SampleApp.Execute(database, "INSERT INTO Products (Name) VALUES ('tea'), ('cake'), ('bread')");

        var update = Log(Ef(root)).ShouldSucceed().Output;
        Assert.False(File.Exists(Path.Combine(root, "shop.db")), "nothing may be created in the folder the command was typed in");
        var expectedHint = $"To restore it: dotnet msbuild {Path.Combine("App", "App.csproj")} -p:MimoProject={Path.Combine("Data", "Data.csproj")} -t:MimoRestore -p:MimoRestoreFrom=";
        Assert.Contains(expectedHint, update, StringComparison.Ordinal);
        Assert.Contains($"verified backup {Path.Combine("App", "backups", "pre-migration_")}", update, StringComparison.Ordinal);
        Assert.Equal(2, SampleApp.AppliedMigrations(database).Length);

        // The status from the solution folder reports App/shop.db, as dotnet-ef found it.
        var status = Log(ProcessRunner.Run(root, "dotnet", ["msbuild", "-nologo", "App/App.csproj", "-p:MimoProject=Data", "-t:MimoStatus", "-p:MimoNoBuild=true"])).ShouldSucceed().Output;
        Assert.Contains($"Mimo: database {Path.Combine("App", "shop.db")}", status, StringComparison.Ordinal);
        Assert.Contains("2 applied", status, StringComparison.Ordinal);

        // The printed restore hint, typed exactly as printed in the folder where it was printed.
        SampleApp.Execute(database, "DELETE FROM Products");
        var hint = update.Split('\n').Select(l => l.Trim()).First(l => l.Contains(expectedHint, StringComparison.Ordinal));
        var command = hint[(hint.IndexOf("dotnet msbuild", StringComparison.Ordinal) + "dotnet ".Length)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Log(ProcessRunner.Run(root, "dotnet", command)).ShouldSucceed();
        Assert.Equal(3, SampleApp.Scalar(database, "SELECT count(*) FROM Products"));
        Assert.Single(SampleApp.AppliedMigrations(database));
    }

    private static ProcessResult Ef(string root, string? migration = null)
        => ProcessRunner.Run(root, "dotnet", ["ef", "database", "update", .. (migration is null ? Array.Empty<string>() : [migration]), "--no-build", "--project", "Data", "--startup-project", "App"]);

    private void WriteSolution(string root)
    {
        PackedPackage.CopyFile(Path.Combine(Repository.Root, ".config", "dotnet-tools.json"), Path.Combine(root, ".config", "dotnet-tools.json"));
        Write(root, "nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mimo-e2e" value="{package.Feed}" />
              </packageSources>
            </configuration>
            """);
        Write(root, "Directory.Build.props", """
            <Project>
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
            </Project>
            """);
        Write(root, "Data/Data.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <ItemGroup>
                <PackageReference Include="Microsoft.EntityFrameworkCore.Sqlite" Version="{EfVersion}" />
                <PackageReference Include="MimoBackup.EfCore" Version="{package.Version}" />
              </ItemGroup>
            </Project>
            """);
        Write(root, "Data/ShopContext.cs", """
            using Microsoft.EntityFrameworkCore;
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            namespace Data;

            public sealed class Product
            {
                public int Id { get; set; }
                public string? Name { get; set; }
                public decimal? Price { get; set; }
            }

            public sealed class ShopContext : DbContext
            {
                public DbSet<Product> Products => Set<Product>();

                // Relative, as most apps write it: relative to the folder the process runs in.
                protected override void OnConfiguring(DbContextOptionsBuilder options) => options.UseSqlite("Data Source=shop.db");
            }

            [DbContext(typeof(ShopContext))]
            [Migration("20260101000000_CreateProducts")]
            public sealed class CreateProducts : Migration
            {
                protected override void Up(MigrationBuilder b) => b.CreateTable(
                    "Products",
                    t => new { Id = t.Column<int>(nullable: false).Annotation("Sqlite:Autoincrement", true), Name = t.Column<string>(nullable: true) },
                    constraints: t => t.PrimaryKey("PK_Products", x => x.Id));

                protected override void Down(MigrationBuilder b) => b.DropTable("Products");
            }

            [DbContext(typeof(ShopContext))]
            [Migration("20260102000000_AddPrice")]
            public sealed class AddPrice : Migration
            {
                protected override void Up(MigrationBuilder b) => b.AddColumn<decimal>("Price", "Products", nullable: true);

                protected override void Down(MigrationBuilder b) => b.Sql("ALTER TABLE \"Products\" DROP COLUMN \"Price\";");
            }
            """);
        Write(root, "App/App.csproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.EntityFrameworkCore.Design" Version="{EfVersion}">
                  <PrivateAssets>all</PrivateAssets>
                </PackageReference>
                <ProjectReference Include="../Data/Data.csproj" />
              </ItemGroup>
            </Project>
            """);
        Write(root, "App/Program.cs", """
            Console.WriteLine(typeof(Data.ShopContext).Name);
            """);
    }

    private const string EfVersion = "10.0.15";

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private ProcessResult Log(ProcessResult result)
    {
        log.WriteLine(result.Output);
        return result;
    }
}
