namespace MimoBackup.EfCore.Internal;

/// <summary>
/// The commands the package tells users to type, in the syntax of the front-end that prints them (today the MSBuild
/// targets and dotnet-ef), each made for the folder where it is printed. One place, so a new front-end changes them here.
/// </summary>
internal static class CommandHints
{
    /// <summary>Restores the given backup (by file name, found in the backup folder).</summary>
    public static string Restore(string backupPath) => $"{MSBuild()} -t:MimoRestore -p:MimoRestoreFrom={Path.GetFileName(backupPath)}";

    /// <summary>Takes a verified backup now.</summary>
    public static string Backup() => $"{MSBuild()} -t:MimoBackup";

    /// <summary>Applies the app's pending migrations.</summary>
    public static string DatabaseUpdate() => "dotnet ef database update" + Invocation.EfProjectArguments();

    /// <summary><c>dotnet msbuild</c> with the project argument it needs where the user is.</summary>
    public static string MSBuild(string? target = null) => "dotnet msbuild" + Invocation.MSBuildProjectArgument() + (target is null ? "" : " -t:" + target);
}
