namespace MimoBackup.EfCore.Engine;

/// <summary>Names a user gives to manual backups become file names: only safe ones are accepted.</summary>
internal static class BackupNames
{
    public const int MaxLength = 64;

    private static readonly string[] Reserved = [BackupKind.PreMigration, BackupKind.PreRestore, BackupKind.PreDrop, BackupKind.PreImport];

    /// <summary>Throws <see cref="MimoError.InvalidBackupName"/> unless <paramref name="name"/> is safe as part of a file name.</summary>
    public static void Validate(string name)
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new MimoBackupException(MimoError.InvalidBackupName, Printable(name), problem);
        }
    }

    internal static string? Problem(string name)
        => name switch
        {
            "" => "it is empty",
            { Length: > MaxLength } => $"it is longer than {MaxLength} characters",
            _ when name.Any(char.IsControl) => "it contains a control character",
            _ when name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) => "it contains a path separator",
            _ when name.Contains("..", StringComparison.Ordinal) => "it contains '..'",
            _ when name.StartsWith('.') => "it starts with '.', which hides the file",
            _ when name.Any(c => !char.IsLetterOrDigit(c) && c is not '-' and not '_' and not '.') => "it contains a character other than letters, digits, '-', '_' and '.'",
            _ when Reserved.Contains(name, StringComparer.OrdinalIgnoreCase) => "it is reserved for automatic backups",
            _ => null,
        };

    private static string Printable(string name)
        => string.Concat(name.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
