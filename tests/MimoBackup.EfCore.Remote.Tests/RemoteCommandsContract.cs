using System.Security.Cryptography;
using MimoBackup.EfCore.Commands;
using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

/// <summary>The process environment the providers read their credentials from: tests that set it run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessEnvironment
{
    public const string Name = "process environment";

    /// <summary>Sets variables for the life of the returned scope, then puts the earlier values back.</summary>
    public static IDisposable Set(IReadOnlyDictionary<string, string?> variables)
    {
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        return new Restore(saved);
    }

    private sealed class Restore(Dictionary<string, string?> saved) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}

/// <summary>
/// MimoRemote through the package's own commands (backup, list, verify, prune, restore) against a real server of the
/// provider's protocol, found the way an app finds it (the provider package loaded by name, credentials from the
/// environment). Each provider's test class runs these.
/// </summary>
public abstract class RemoteCommandsContract : IDisposable
{
    private static readonly EncryptionKey Key = EncryptionKey.Parse(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), "test");
    private readonly TempFolder _temp = new();
    private readonly IDisposable _environment;

    protected RemoteCommandsContract()
    {
        TempFolder.CreateNotes(Database, rows: 400);
        _environment = ProcessEnvironment.Set(Credentials);
        Prefix = "cmd" + Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary><c>s3://bucket</c> or <c>azblob://container</c> on the test's server.</summary>
    protected abstract string Root { get; }

    /// <summary>The environment the provider reads (endpoint, keys or connection string).</summary>
    protected abstract IReadOnlyDictionary<string, string?> Credentials { get; }

    protected string Prefix { get; }

    private string Database => _temp.File("app.db");

    protected string Backups => _temp.File("backups");

    /// <summary>Flips one byte of the stored bytes of the object <paramref name="key"/> in the server's data folder.</summary>
    protected abstract void FlipStoredByte(string key);

    public void Dispose()
    {
        _environment.Dispose();
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected CommandTarget Target(bool encrypted = true)
        => CommandTarget.ForFile(Database, new MimoSettings
        {
            Remote = RemoteAddress.Parse($"{Root}/{Prefix}"),
            EncryptionKey = encrypted ? Key : null,
        }) with { BusyTimeout = TimeSpan.FromSeconds(5) };

    private protected static MimoExitCode Run(string verb, CommandTarget target, RecordingOutput output, params (string Name, string Value)[] options)
        => ManualCommands.Run(verb, target, new CommandOptions(options.ToDictionary(o => o.Name, o => o.Value)), output, TimeProvider.System, CancellationToken.None);

    protected string NewestBackup() => Path.GetFileName(Directory.GetFiles(Backups, "*.db").Order(StringComparer.Ordinal).Last());

    [Fact]
    public void Backup_uploads_encrypted_and_list_verify_drill_and_prune_read_the_remote()
    {
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("backup", Target(), output));

        var name = NewestBackup();
        Assert.Contains(output.Information, l => l.StartsWith($"Mimo: uploaded {name}", StringComparison.Ordinal) && l.Contains($"encrypted with key {Key.Id}", StringComparison.Ordinal));
        Assert.Empty(output.Warnings);
        var list = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("list", Target(), list, ("Source", "remote")));
        Assert.Contains(list.Information, l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
        Assert.Contains(list.Information, l => l.Contains($"{Root}/{Prefix}: 1 complete", StringComparison.Ordinal));
        var verify = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("verify", Target(), verify, ("Source", "remote")));
        Assert.Contains(verify.Information, l => l.Contains("1 of 1 backup passed", StringComparison.Ordinal));
        Assert.Equal(MimoExitCode.Done, Run("verify", Target(), new RecordingOutput(), ("Source", "remote"), ("RestoreTest", "true")));
        var prune = new RecordingOutput();
        Assert.Equal(MimoExitCode.Done, Run("prune", Target(), prune, ("Source", "remote"), ("DryRun", "true")));
        Assert.Contains(prune.Information, l => l.Contains("keep", StringComparison.Ordinal) && l.Contains(name, StringComparison.Ordinal));
        Assert.DoesNotContain(Directory.GetFiles(Backups), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Restore_from_the_remote_works_after_the_local_folder_is_gone()
    {
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(), new RecordingOutput()));
        var name = NewestBackup();
        var rows = TempFolder.Count(Database, "Notes");
        using (var connection = TempFolder.Open(Database))
        {
            TempFolder.Execute(connection, "DELETE FROM Notes");
        }

        Directory.Delete(Backups, recursive: true);
        var output = new RecordingOutput();

        Assert.Equal(MimoExitCode.Done, Run("restore", Target(), output, ("RestoreFrom", name), ("Source", "remote")));

        Assert.Equal(rows, TempFolder.Count(Database, "Notes"));
        Assert.Contains(output.Information, l => l.Contains($"restored {Database}", StringComparison.Ordinal) && l.Contains($"{Root}/{Prefix}/{name}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_flipped_byte_in_the_remote_copy_fails_verify_and_restore_and_leaves_the_live_database_and_local_backup_alone()
    {
        Assert.Equal(MimoExitCode.Done, Run("backup", Target(encrypted: false), new RecordingOutput()));
        var name = NewestBackup();
        FlipStoredByte($"{Prefix}/{name}");
        var before = TempFolder.Hash(Database);

        var verify = new RecordingOutput();
        Assert.Equal(MimoExitCode.VerificationFailed, Run("verify", Target(encrypted: false), verify, ("Source", "remote")));
        Assert.Equal("MIMO206", Assert.Single(verify.Errors).Error.Code);
        var restore = Assert.Throws<MimoBackupException>(() => Run("restore", Target(encrypted: false), new RecordingOutput(), ("RestoreFrom", name), ("Source", "remote")));
        Assert.Equal("MIMO203", restore.Error.Code);

        Assert.Equal(before, TempFolder.Hash(Database));
        var local = new RecordingOutput();
        Run("list", Target(encrypted: false), local);
        Assert.Contains(local.Information, l => l.StartsWith(name, StringComparison.Ordinal) && l.Contains(" yes ", StringComparison.Ordinal));
    }
}
