using Microsoft.Extensions.Logging;

namespace MimoBackup.EfCore.Internal;

/// <summary>
/// Lines through a logger: the app's own at run time; at design time dotnet-ef's, whose logger writes each
/// level to its reporter, so our lines read like EF's.
/// </summary>
internal sealed class LoggerOutput(ILogger logger) : IMimoOutput
{
    public void Information(EventId id, string line) => logger.LogInformation(id, "{Line}", line);

    public void Warning(EventId id, string line) => logger.LogWarning(id, "{Line}", line);
}
