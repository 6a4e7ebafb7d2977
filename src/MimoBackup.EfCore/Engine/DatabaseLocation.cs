using Microsoft.Data.Sqlite;

namespace MimoBackup.EfCore.Engine;

/// <summary>Where a SQLite connection string points: a file, or memory (nothing to back up).</summary>
internal sealed record DatabaseLocation(string? Path)
{
    public bool InMemory => Path is null;

    /// <summary>Resolves the file the way Microsoft.Data.Sqlite and SQLite do, relative to the current folder.</summary>
    public static DatabaseLocation FromConnectionString(string? connectionString, string currentDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString ?? string.Empty);
        var dataSource = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(dataSource) || dataSource == ":memory:")
        {
            return new DatabaseLocation((string?)null);
        }

        if (dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var query = dataSource.IndexOf('?', StringComparison.Ordinal);
            var options = query < 0 ? string.Empty : dataSource[(query + 1)..];
            dataSource = Uri.UnescapeDataString((query < 0 ? dataSource : dataSource[..query])["file:".Length..]);
            if (dataSource.StartsWith("//", StringComparison.Ordinal))
            {
                dataSource = dataSource[2..]; // file://host/path: only the empty or localhost authority is legal.
                dataSource = dataSource[dataSource.IndexOf('/', StringComparison.Ordinal)..];
            }

            if (dataSource is "" or ":memory:" || options.Split('&').Contains("mode=memory", StringComparer.OrdinalIgnoreCase))
            {
                return new DatabaseLocation((string?)null);
            }
        }

        if (dataSource.StartsWith("|DataDirectory|", StringComparison.OrdinalIgnoreCase))
        {
            var dataDirectory = AppDomain.CurrentDomain.GetData("DataDirectory") as string ?? AppContext.BaseDirectory;
            dataSource = System.IO.Path.Combine(dataDirectory, dataSource["|DataDirectory|".Length..].TrimStart('/', '\\'));
        }

        return new DatabaseLocation(System.IO.Path.GetFullPath(dataSource, currentDirectory));
    }
}
