using System.Diagnostics;

namespace MimoBackup.EfCore.Tests;

/// <summary>A real full disk: a tiny tmpfs mounted over a test folder (root only; elsewhere the test says it skipped).</summary>
internal static class SmallDisk
{
    public static bool Mount(string folder, string options, ITestOutputHelper log)
    {
        if (OperatingSystem.IsWindows() || Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", folder) != 0)
        {
            log.WriteLine("SKIPPED: a full disk needs a small tmpfs, and mounting one is not permitted here.");
            Console.WriteLine($"SKIPPED: a full-disk test (cannot mount a tmpfs over {folder})");
            return false;
        }

        return true;
    }

    public static void Unmount(string folder) => Run("umount", folder);

    /// <summary>Runs a tool and returns its exit code, or -1 when it is not installed.</summary>
    public static int Run(string file, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
