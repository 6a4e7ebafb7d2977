namespace MimoBackup.EfCore.Tool;

/// <summary><c>dotnet mimo &lt;verb&gt;</c>: the command line of <see cref="MimoCommandLine"/> on the process's console.</summary>
internal static class Program
{
    private static Task<int> Main(string[] args) => MimoCommandLine.InvokeAsync(args, ToolContext.FromProcess());
}
