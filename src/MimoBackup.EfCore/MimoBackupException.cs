using System.Globalization;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore;

/// <summary>
/// A failure MimoBackup reports instead of going on: a refused migration or drop, a backup that could not be
/// taken or verified, a restore that was stopped. Thrown by <c>Migrate()</c>, <c>MigrateAsync()</c>,
/// <c>EnsureDeleted()</c> and the package's commands; the database is left as the message says.
/// </summary>
public sealed class MimoBackupException : Exception
{
    internal MimoBackupException(MimoError error, Exception? inner, params object?[] args)
        : base(Format(error, args), inner)
    {
        Error = error;
    }

    internal MimoBackupException(MimoError error, params object?[] args)
        : this(error, null, args)
    {
    }

    /// <summary>The stable diagnostic code, for example <c>MIMO301</c>; the README lists every code.</summary>
    public string Code => Error.Code;

    /// <summary>
    /// The exit code the package's commands end with for this failure: 1 failed, 2 bad usage, 3 refused,
    /// 4 verification failed.
    /// </summary>
    public int ExitCode => (int)Error.ExitCode;

    internal MimoError Error { get; }

    internal MimoExitCode Exit => Error.ExitCode;

    private static string Format(MimoError error, object?[] args)
        => $"{error.Code}: " + string.Format(CultureInfo.InvariantCulture, error.Cause + " " + error.Remedy, args);
}
