using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MimoBackup.EfCore.Tests;

/// <summary>
/// A server from build/emulators (s3rver, Azurite) in a process of its own on a free loopback port, with its data in a
/// temporary folder; stopped (and restartable on the same port and data) by the test that owns it.
/// </summary>
internal sealed class EmulatorServer : IDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly string tool;
    private readonly Func<int, string, IReadOnlyList<string>> arguments;
    private readonly IReadOnlyDictionary<string, string> environment;
    private readonly StringBuilder log = new();
    private Process? process;

    private EmulatorServer(string tool, Func<int, string, IReadOnlyList<string>> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        this.tool = tool;
        this.arguments = arguments;
        this.environment = environment ?? new Dictionary<string, string>();
        Port = FreePort();
        Directory.CreateDirectory(DataFolder);
    }

    /// <summary>The loopback port it listens on, the same after a restart.</summary>
    public int Port { get; }

    /// <summary>Where the server keeps its objects.</summary>
    public string DataFolder { get; } = Path.Combine(Path.GetTempPath(), "mimo-emulator-" + Guid.NewGuid().ToString("N")[..8]);

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>What the server printed, for a failing test's message.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="tool"/> (a command of build/emulators/node_modules/.bin) with the arguments made from the
    /// port and the data folder, installing the emulators first when they are not there.
    /// </summary>
    public static EmulatorServer Start(string tool, Func<int, string, IReadOnlyList<string>> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var server = new EmulatorServer(tool, arguments, environment);
        server.Start();
        return server;
    }

    /// <summary>s3rver with the given buckets, on loopback; its own key id and secret are both <c>S3RVER</c>.</summary>
    public static EmulatorServer S3rver(params string[] buckets)
        => Start(
            "s3rver",
            (port, data) => ["-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", .. buckets.SelectMany(b => new[] { "--configure-bucket", b })],
            // s3rver 3.7.1 makes ListObjectsV2 continuation tokens with DES (controllers/bucket.js), which the OpenSSL 3
            // of Node 17 and later refuses without its legacy provider: every truncated listing would answer 500.
            new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" });

    public void Start()
    {
        var executable = Path.Combine(EnsureInstalled(), tool);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataFolder,
        };
        foreach (var argument in arguments(Port, DataFolder))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + tool);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!Listening())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{tool} did not start on port {Port}:\n{Log}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>Kills the server at once, as a crash or a lost network would: no request in flight completes.</summary>
    public void Stop()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Stop();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    private bool Listening()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>build/emulators/node_modules/.bin, after build/emulators.sh (npm ci) when the servers are not installed.</summary>
    private static string EnsureInstalled()
    {
        var root = RepositoryRoot();
        var bin = Path.Combine(root, "build", "emulators", "node_modules", ".bin");
        InstallLock.Wait();
        try
        {
            using var install = Process.Start(new ProcessStartInfo(Path.Combine(root, "build", "emulators.sh")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = install.StandardOutput.ReadToEndAsync();
            var errors = install.StandardError.ReadToEnd();
            install.WaitForExit();
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"build/emulators.sh failed ({install.ExitCode}): {output.Result}{errors}");
            }
        }
        finally
        {
            InstallLock.Release();
        }

        return bin;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MimoBackup.EfCore.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("MimoBackup.EfCore.sln not found above " + AppContext.BaseDirectory);
    }
}
