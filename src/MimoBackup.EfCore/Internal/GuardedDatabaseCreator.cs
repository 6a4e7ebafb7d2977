using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// Guards <c>EnsureDeleted()</c> of a context configured with <c>UseMimoBackup()</c>: see <see cref="DropGuard"/>.
/// (<c>dotnet ef database drop</c> in an app without that call is guarded by the build's drop hook.)
/// </summary>
internal sealed class GuardedDatabaseCreator(IRelationalDatabaseCreator inner, ICurrentDbContext currentContext, IMimoOutput output)
    : IRelationalDatabaseCreator
{
    private static volatile bool _insideDatabaseDrop;

    /// <summary>
    /// True only inside dotnet-ef's <c>database drop</c> (set by the design-time drop hook): there a refusal is
    /// reported as dotnet-ef reports its own failures, once and without a stack trace.
    /// </summary>
    internal static bool InsideDatabaseDrop
    {
        get => _insideDatabaseDrop;
        set => _insideDatabaseDrop = value;
    }

    public bool EnsureDeleted()
    {
        Guard();
        return inner.EnsureDeleted();
    }

    public Task<bool> EnsureDeletedAsync(CancellationToken cancellationToken = default)
    {
        Guard();
        return inner.EnsureDeletedAsync(cancellationToken);
    }

    public void Delete()
    {
        Guard();
        inner.Delete();
    }

    public Task DeleteAsync(CancellationToken cancellationToken = default)
    {
        Guard();
        return inner.DeleteAsync(cancellationToken);
    }

    public bool EnsureCreated() => inner.EnsureCreated();

    public Task<bool> EnsureCreatedAsync(CancellationToken cancellationToken = default) => inner.EnsureCreatedAsync(cancellationToken);

    public bool CanConnect() => inner.CanConnect();

    public Task<bool> CanConnectAsync(CancellationToken cancellationToken = default) => inner.CanConnectAsync(cancellationToken);

    public bool Exists() => inner.Exists();

    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) => inner.ExistsAsync(cancellationToken);

    public bool HasTables() => inner.HasTables();

    public Task<bool> HasTablesAsync(CancellationToken cancellationToken = default) => inner.HasTablesAsync(cancellationToken);

    public void Create() => inner.Create();

    public Task CreateAsync(CancellationToken cancellationToken = default) => inner.CreateAsync(cancellationToken);

    public void CreateTables() => inner.CreateTables();

    public Task CreateTablesAsync(CancellationToken cancellationToken = default) => inner.CreateTablesAsync(cancellationToken);

    public string GenerateCreateScript() => inner.GenerateCreateScript();

    private void Guard()
    {
        try
        {
            DropGuard.Check(currentContext.Context, output);
        }
        catch (MimoBackupException e) when (InsideDatabaseDrop)
        {
            // Inside dotnet-ef's drop: an OperationException is printed once, as its message alone; anything else
            // is printed with its stack trace and then its message again.
            throw new Microsoft.EntityFrameworkCore.Design.OperationException(e.Message, e);
        }
    }
}
