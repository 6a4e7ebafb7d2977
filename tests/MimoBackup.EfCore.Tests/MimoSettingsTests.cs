using MimoBackup.EfCore.Configuration;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.Tests;

public class MimoSettingsTests
{
    private const string Here = "/srv/app";
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    private static BuildSettingsFile Build(params (string Name, string Value)[] values)
        => new("/app/bin/App.mimo.json", "build-1234567890", values.ToDictionary(v => v.Name, v => v.Value, StringComparer.OrdinalIgnoreCase));

    private static Func<string, string?> Environment(params (string Name, string Value)[] values)
        => name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Resolve_nothing_set_gives_the_defaults()
    {
        var settings = MimoSettings.Resolve(NoEnvironment, null, null, Here);

        Assert.True(settings.Enabled);
        Assert.False(settings.SkipBackup);
        Assert.Null(settings.BackupDir);
        Assert.Equal(MimoVerification.Full, settings.Verify);
        Assert.Equal(15, settings.FreshBackupMinutes);
        Assert.Equal(SettingSource.Default, settings.EnabledSource);
        Assert.Equal(30, settings.RetentionDays);
        Assert.Equal(12, settings.RetentionMonths);
        Assert.True(settings.AutoPrune);
        Assert.Null(settings.MirrorDir);
        Assert.True(settings.NotifyOnBackup);
        Assert.Null(settings.NotifyCommand);
        Assert.Equal(new Engine.RetentionPolicy(30, 12), settings.Retention);
    }

    [Fact]
    public void Resolve_retention_mirror_and_notify_settings_follow_the_same_precedence()
    {
        var code = new CodeSettings
        {
            RetentionDays = 7,
            RetentionMonths = 3,
            AutoPrune = true,
            MirrorDir = "/code-mirror",
            NotifyOnBackup = true,
            NotifyCommand = "code-cmd",
        };
        var build = Build(
            ("MimoRetentionDays", "14"), ("MimoRetentionMonths", "0"), ("MimoAutoPrune", "false"), ("MimoMirrorDir", "/build-mirror"),
            ("MimoNotifyOnBackup", "false"), ("MimoNotifyCommand", "build-cmd"));
        var environment = Environment(("MimoRetentionDays", "60"), ("MimoAutoPrune", "TRUE"), ("MimoNotifyCommand", "cat > event.json"));

        var fromCode = MimoSettings.Resolve(NoEnvironment, null, code, Here);
        var fromBuild = MimoSettings.Resolve(NoEnvironment, build, code, Here);
        var fromEnvironment = MimoSettings.Resolve(environment, build, code, Here);

        Assert.Equal((7, 3, true, Path.GetFullPath("/code-mirror"), true, "code-cmd"),
            (fromCode.RetentionDays, fromCode.RetentionMonths, fromCode.AutoPrune, fromCode.MirrorDir, fromCode.NotifyOnBackup, fromCode.NotifyCommand));
        Assert.Equal((14, 0, false, Path.GetFullPath("/build-mirror"), false, "build-cmd"),
            (fromBuild.RetentionDays, fromBuild.RetentionMonths, fromBuild.AutoPrune, fromBuild.MirrorDir, fromBuild.NotifyOnBackup, fromBuild.NotifyCommand));
        Assert.Equal((60, 0, true, Path.GetFullPath("/build-mirror"), false, "cat > event.json"),
            (fromEnvironment.RetentionDays, fromEnvironment.RetentionMonths, fromEnvironment.AutoPrune, fromEnvironment.MirrorDir, fromEnvironment.NotifyOnBackup, fromEnvironment.NotifyCommand));
    }

    [Fact]
    public void OptionsBuilder_sets_the_retention_mirror_and_notify_code_settings()
    {
        var builder = new MimoBackupOptionsBuilder()
            .RetentionDays(10).RetentionMonths(0).AutoPrune(false).MirrorDirectory("mirror").NotifyOnBackup(false).NotifyCommand("notify-send backup");

        Assert.Equal(
            new CodeSettings { RetentionDays = 10, RetentionMonths = 0, AutoPrune = false, MirrorDir = "mirror", NotifyOnBackup = false, NotifyCommand = "notify-send backup" },
            builder.Settings);
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.RetentionDays(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.RetentionMonths(-1));
        Assert.Equal(Path.GetFullPath("/srv/app/mirror"), MimoSettings.Resolve(NoEnvironment, null, builder.Settings, Here).MirrorDir);
    }

    [Fact]
    public void Resolve_environment_beats_msbuild_beats_code()
    {
        var code = new CodeSettings { Enabled = true, Verify = MimoVerification.Full, FreshBackupMinutes = 5, SkipBackup = false };
        var build = Build(("MimoBackupEnabled", "false"), ("MimoVerify", "quick"), ("MimoFreshBackupMinutes", "30"));

        var fromBuild = MimoSettings.Resolve(NoEnvironment, build, code, Here);
        var fromEnvironment = MimoSettings.Resolve(Environment(("MimoBackupEnabled", "TRUE"), ("MimoFreshBackupMinutes", "60")), build, code, Here);
        var fromCode = MimoSettings.Resolve(NoEnvironment, null, code, Here);

        Assert.False(fromBuild.Enabled);
        Assert.Equal(SettingSource.MSBuild, fromBuild.EnabledSource);
        Assert.Equal(MimoVerification.Quick, fromBuild.Verify);
        Assert.Equal(30, fromBuild.FreshBackupMinutes);
        Assert.True(fromEnvironment.Enabled);
        Assert.Equal(SettingSource.Environment, fromEnvironment.EnabledSource);
        Assert.Equal(60, fromEnvironment.FreshBackupMinutes);
        Assert.Equal(MimoVerification.Quick, fromEnvironment.Verify);
        Assert.Equal(5, fromCode.FreshBackupMinutes);
        Assert.Equal(SettingSource.Code, fromCode.EnabledSource);
    }

    [Theory]
    [InlineData("MimoBackupEnabled", "yes")]
    [InlineData("MimoSkipBackup", "1")]
    [InlineData("MimoVerify", "fast")]
    [InlineData("MimoFreshBackupMinutes", "-1")]
    [InlineData("MimoFreshBackupMinutes", "0")]
    [InlineData("MimoFreshBackupMinutes", "ten")]
    [InlineData("MimoRetentionDays", "0")]
    [InlineData("MimoRetentionDays", "-5")]
    [InlineData("MimoRetentionDays", "thirty")]
    [InlineData("MimoRetentionDays", "36501")]
    [InlineData("MimoRetentionMonths", "-1")]
    [InlineData("MimoRetentionMonths", "1.5")]
    [InlineData("MimoAutoPrune", "yes")]
    [InlineData("MimoNotifyOnBackup", "on")]
    [InlineData("MimoRehearse", "no")]
    public void Resolve_invalid_value_is_an_error_naming_the_setting(string name, string value)
    {
        var fromEnvironment = Assert.Throws<MimoBackupException>(() => MimoSettings.Resolve(Environment((name, value)), null, null, Here));
        var fromBuild = Assert.Throws<MimoBackupException>(() => MimoSettings.Resolve(NoEnvironment, Build((name, value)), null, Here));

        foreach (var error in new[] { fromEnvironment, fromBuild })
        {
            Assert.Equal("MIMO001", error.Error.Code);
            Assert.Equal(MimoExitCode.BadUsage, error.Exit);
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
            Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rehearse_defaults_to_true_and_the_environment_beats_the_build_beats_code()
    {
        Assert.True(MimoSettings.Resolve(NoEnvironment, null, null, Here).Rehearse);
        Assert.False(MimoSettings.Resolve(NoEnvironment, null, new CodeSettings { Rehearse = false }, Here).Rehearse);
        Assert.True(MimoSettings.Resolve(NoEnvironment, Build(("MimoRehearse", "true")), new CodeSettings { Rehearse = false }, Here).Rehearse);
        Assert.False(MimoSettings.Resolve(Environment(("MimoRehearse", "FALSE")), Build(("MimoRehearse", "true")), null, Here).Rehearse);
    }

    [Fact]
    public void Resolve_relative_folders_resolve_against_where_they_were_written()
    {
        var fromBuild = MimoSettings.Resolve(NoEnvironment, Build(("MimoBackupDir", "safe"), ("MimoMirrorDir", "share")), null, Here);
        var fromEnvironment = MimoSettings.Resolve(Environment(("MimoBackupDir", "safe"), ("MimoMirrorDir", "share")), null, null, Here);

        Assert.Equal(Path.GetFullPath("/app/bin/safe"), fromBuild.BackupDir);
        Assert.Equal(Path.GetFullPath("/srv/app/safe"), fromEnvironment.BackupDir);
        Assert.Equal(Path.GetFullPath("/app/bin/share"), fromBuild.MirrorDir);
        Assert.Equal(Path.GetFullPath("/srv/app/share"), fromEnvironment.MirrorDir);
    }

    [Fact]
    public void Resolve_skip_from_a_build_carries_its_build_id_and_other_skips_do_not()
    {
        var build = Build(("MimoSkipBackup", "true"));

        Assert.Equal("build-1234567890", MimoSettings.Resolve(NoEnvironment, build, null, Here).SkipBuildId);
        Assert.Null(MimoSettings.Resolve(Environment(("MimoSkipBackup", "true")), build, null, Here).SkipBuildId);
        Assert.Null(MimoSettings.Resolve(NoEnvironment, null, new CodeSettings { SkipBackup = true }, Here).SkipBuildId);
    }

    [Fact]
    public void TryLoad_unreadable_settings_file_is_MIMO002()
    {
        var path = Path.Combine(Path.GetTempPath(), "mimo-settings-" + Guid.NewGuid().ToString("N") + ".mimo.json");
        File.WriteAllText(path, "{ not json");
        try
        {
            Assert.Equal("MIMO002", Assert.Throws<MimoBackupException>(() => BuildSettingsFile.TryLoad(path)).Error.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TryLoad_empty_values_written_by_the_targets_count_as_not_set()
    {
        var path = Path.Combine(Path.GetTempPath(), "mimo-settings-" + Guid.NewGuid().ToString("N") + ".mimo.json");
        File.WriteAllText(path, """{ "formatVersion": 1, "buildId": "", "settings": { "MimoBackupEnabled": "", "MimoVerify": "quick" } }""");
        try
        {
            var file = BuildSettingsFile.TryLoad(path)!;

            Assert.Null(file.BuildId);
            Assert.False(file.Values.ContainsKey("MimoBackupEnabled"));
            Assert.Equal("quick", file.Values["MimoVerify"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_encryption_key_comes_from_the_environment_only_and_never_shows_in_the_settings()
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var build = new BuildSettingsFile("/srv/app/App.mimo.json", null, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["MimoRemote"] = "s3://backups/app",
            ["MimoEncryptionKey"] = key,
        });

        var fromFile = MimoSettings.Resolve(_ => null, build, null, Here);
        var fromEnvironment = MimoSettings.Resolve(n => n == "MimoEncryptionKey" ? key : null, build, null, Here);

        Assert.Equal("s3://backups/app", fromFile.Remote?.Text);
        Assert.Null(fromFile.EncryptionKey);
        Assert.NotNull(fromEnvironment.EncryptionKey);
        Assert.DoesNotContain(key, fromEnvironment.ToString(), StringComparison.Ordinal);
        Assert.Contains(fromEnvironment.EncryptionKey!.Id, fromEnvironment.ToString(), StringComparison.Ordinal);

        // Local backups stay plain: without MimoRemote the key is not even read.
        Assert.Null(MimoSettings.Resolve(n => n == "MimoEncryptionKey" ? "not a key" : null, null, null, Here).EncryptionKey);
        Assert.Equal("MIMO606", Assert.Throws<MimoBackupException>(() => MimoSettings.Resolve(n => n switch { "MimoEncryptionKey" => "not a key", "MimoRemote" => "s3://b/p", _ => null }, null, null, Here)).Error.Code);
    }

    [Theory]
    [InlineData("s3://backups/app", "s3", "backups", "app")]
    [InlineData("S3://backups/app/db/", "s3", "backups", "app/db")]
    [InlineData("azblob://container", "azblob", "container", "")]
    public void Remote_addresses_name_their_scheme_container_and_prefix(string text, string scheme, string container, string prefix)
    {
        var address = RemoteAddress.Parse(text);

        Assert.Equal((scheme, container, prefix), (address.Scheme, address.Container, address.Prefix));
        Assert.Equal(prefix.Length == 0 ? "x.db" : prefix + "/x.db", address.KeyOf("x.db"));
    }

    [Theory]
    [InlineData("ftp://host/path")]
    [InlineData("s3://")]
    [InlineData("s3://bucket/../up")]
    [InlineData("s3://AKIAFAKEKEY:SECRETFAKE@bucket/prefix")]
    [InlineData("azblob://container/prefix?sv=2024&sig=SECRETFAKE")]
    public void A_remote_that_is_not_an_address_is_MIMO001_and_a_credential_in_it_is_not_shown(string text)
    {
        var error = Assert.Throws<MimoBackupException>(() => MimoSettings.Resolve(n => n == "MimoRemote" ? text : null, null, null, Here));

        Assert.Equal("MIMO001", error.Error.Code);
        Assert.Contains("MimoRemote", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETFAKE", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_remote_whose_provider_package_is_not_loaded_is_MIMO602_naming_the_package()
    {
        // This test project references neither provider package.
        var error = Assert.Throws<MimoBackupException>(() => RemoteAddress.Parse("azblob://container/app").Open());

        Assert.Equal("MIMO602", error.Error.Code);
        Assert.Contains("MimoBackup.EfCore.AzureBlob", error.Message, StringComparison.Ordinal);
    }
}
