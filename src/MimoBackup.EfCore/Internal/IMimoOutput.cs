using Microsoft.Extensions.Logging;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// Where the package's lines go: dotnet-ef's reporter at design time, the app's logger at run time. Each line has the
/// <see cref="MimoBackupEventId"/> of its kind.
/// </summary>
internal interface IMimoOutput
{
    void Information(EventId id, string line);

    void Warning(EventId id, string line);
}
