using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Internal;

namespace MimoBackup.EfCore.Tests;

/// <summary>Collects a command's lines.</summary>
internal sealed class RecordingOutput : ICommandOutput
{
    public List<string> Information { get; } = [];

    public List<string> Warnings { get; } = [];

    public List<MimoBackupException> Errors { get; } = [];

    public IEnumerable<string> Lines => Information.Concat(Warnings).Concat(Errors.Select(e => e.Message));

    /// <summary>The event id of every line, in order.</summary>
    public List<Microsoft.Extensions.Logging.EventId> Ids { get; } = [];

    void IMimoOutput.Information(Microsoft.Extensions.Logging.EventId id, string line)
    {
        Information.Add(line);
        Ids.Add(id);
    }

    void IMimoOutput.Warning(Microsoft.Extensions.Logging.EventId id, string line)
    {
        Warnings.Add(line);
        Ids.Add(id);
    }

    void ICommandOutput.Error(MimoBackupException error) => Errors.Add(error);
}
