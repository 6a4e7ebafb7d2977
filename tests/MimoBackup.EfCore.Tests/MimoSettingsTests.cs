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
}
