namespace MimoBackup.EfCore.Internal;

/// <summary>
/// The commands the package tells users to type, in the syntax of the front-end that prints them
/// (<see cref="Invocation.FrontEnd"/>: the MSBuild targets and dotnet-ef, or the <c>dotnet mimo</c> tool), each made
/// for the folder where it is printed. One place, so a new front-end changes them here.
/// </summary>
internal static class CommandHints
{
    private static bool Tool => Invocation.FrontEnd == FrontEnd.DotnetMimo;

    /// <summary>Restores the given backup (by file name, found in the backup folder); <c>&lt;name&gt;</c> stands for any.</summary>
    public static string Restore(string backupPath)
        => Tool ? Mimo("restore " + Path.GetFileName(backupPath)) : $"{MSBuild("MimoRestore")} -p:MimoRestoreFrom={Path.GetFileName(backupPath)}";

    /// <summary>Takes a verified backup now.</summary>
    public static string Backup() => Tool ? Mimo("backup") : MSBuild("MimoBackup");

    /// <summary>Re-verifies every backup.</summary>
    public static string Verify() => Tool ? Mimo("verify") : MSBuild("MimoBackupVerify");

    /// <summary>Runs the status with a WAL checkpoint.</summary>
    public static string Checkpoint() => Tool ? Mimo("status --checkpoint") : $"{MSBuild("MimoStatus")} -p:MimoCheckpoint=true";

    /// <summary>Imports the given export file (a path as printed for the user's folder).</summary>
    public static string Import(string shownFile)
        => Tool ? Mimo("import " + Invocation.Quoted(shownFile)) : $"{MSBuild("MimoImport")} -p:MimoImportFile={Invocation.Quoted(shownFile)}";

    /// <summary>Applies the app's pending migrations.</summary>
    public static string DatabaseUpdate() => "dotnet ef database update" + Invocation.EfProjectArguments();

    /// <summary><c>dotnet msbuild</c> with the project argument it needs where the user is.</summary>
    public static string MSBuild(string? target = null) => "dotnet msbuild" + Invocation.MSBuildProjectArgument() + (target is null ? "" : " -t:" + target);

    /// <summary>
    /// <c>dotnet mimo &lt;verb&gt;</c> with the projects it needs where the user is (dotnet-ef's option names) and the
    /// other arguments the tool was given that the hint needs to find the same database and backups.
    /// </summary>
    public static string Mimo(string verbAndArguments) => "dotnet mimo " + verbAndArguments + Invocation.EfProjectArguments() + Invocation.ToolArguments;
}
