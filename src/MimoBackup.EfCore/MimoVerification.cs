namespace MimoBackup.EfCore;

/// <summary>How thoroughly a backup copy is checked before it counts as verified (setting <c>MimoVerify</c>).</summary>
public enum MimoVerification
{
    /// <summary><c>PRAGMA integrity_check</c>: every page, index entry and constraint. The default.</summary>
    Full,

    /// <summary><c>PRAGMA quick_check</c>: the same without comparing indexes to their tables; faster on large files.</summary>
    Quick,
}
