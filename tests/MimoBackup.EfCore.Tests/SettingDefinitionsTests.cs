using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MimoBackup.EfCore.Configuration;

namespace MimoBackup.EfCore.Tests;

/// <summary>The table of settings against every place a setting is written: builder, targets, README.</summary>
public class SettingDefinitionsTests
{
    private const string Here = "/srv/app";

    private static IEnumerable<SettingDefinition> AppSettings => SettingDefinitions.All.Where(d => d.Scope == SettingScope.App);

    private static XDocument Targets()
        => XDocument.Load(Path.Combine(ReadmeTests.RepositoryRoot(), "build", "package", "MimoBackup.EfCore.targets"));

    private static IEnumerable<XElement> Items(XDocument targets, string item)
        => targets.Descendants(item).Where(e => e.Attribute("Include") is not null);

    private static List<string> Includes(XDocument targets, string item)
        => [.. Items(targets, item).SelectMany(e => e.Attribute("Include")!.Value.Split(';'))];

    [Fact]
    public void Table_names_are_unique_and_app_settings_have_a_builder_method()
    {
        Assert.Equal(SettingDefinitions.All.Count, SettingDefinitions.All.Select(d => d.Name.ToUpperInvariant()).Distinct().Count());
        Assert.All(SettingDefinitions.All, d => Assert.Matches("^Mimo[A-Z][A-Za-z]+$", d.Name));
        Assert.All(AppSettings, d => Assert.NotNull(d.BuilderMethod));
        Assert.All(SettingDefinitions.All.Where(d => d.Scope != SettingScope.App), d => Assert.Null(d.BuilderMethod));
        Assert.All(SettingDefinitions.All.Where(d => d.Kind == SettingKind.Enum), d => Assert.NotEmpty(d.Values));
    }

    [Fact]
    public void Builder_has_one_method_per_app_setting_and_no_other()
    {
        var methods = typeof(MimoBackupOptionsBuilder).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(MimoBackupOptionsBuilder))
            .Select(m => m.Name);

        Assert.Equal(AppSettings.Select(d => d.BuilderMethod!).Order(StringComparer.Ordinal), methods.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Builder_doc_of_each_app_setting_names_its_property_default_and_range()
    {
        var docs = XDocument.Load(Path.ChangeExtension(typeof(MimoBackupOptionsBuilder).Assembly.Location, ".xml"));

        foreach (var setting in AppSettings)
        {
            var prefix = $"M:{typeof(MimoBackupOptionsBuilder).FullName}.{setting.BuilderMethod}(";
            var member = Assert.Single(docs.Descendants("member"), m => m.Attribute("name")!.Value.StartsWith(prefix, StringComparison.Ordinal));
            var summary = Text(member.Element("summary")!);

            Assert.Contains($"`{setting.Name}`", summary, StringComparison.Ordinal);
            Assert.Contains($"default {setting.DefaultText}", summary, StringComparison.Ordinal);
            if (setting.Kind == SettingKind.Int)
            {
                var parameter = Text(Assert.Single(member.Elements("param")));
                Assert.Contains($"From {setting.Minimum}", parameter, StringComparison.Ordinal);
                Assert.Contains($"to {setting.Maximum}.", parameter, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Builder_option_and_environment_variable_of_each_app_setting_set_the_same_value()
    {
        var defaults = Normal(MimoSettings.Resolve(_ => null, null, null, Here));

        foreach (var setting in AppSettings)
        {
            var method = typeof(MimoBackupOptionsBuilder).GetMethod(setting.BuilderMethod!)!;
            var text = Sample(setting);
            var argument = method.GetParameters()[0].ParameterType switch
            {
                var t when t == typeof(bool) => (object)bool.Parse(text),
                var t when t == typeof(int) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
                var t when t.IsEnum => Enum.Parse(t, text, ignoreCase: true),
                _ => text,
            };
            var builder = new MimoBackupOptionsBuilder();
            method.Invoke(builder, [argument]);

            var fromCode = Normal(MimoSettings.Resolve(_ => null, null, builder.Settings, Here));
            var fromEnvironment = Normal(MimoSettings.Resolve(name => name == setting.Name ? text : null, null, null, Here));

            Assert.NotEqual(defaults, fromCode);
            Assert.Equal(fromEnvironment, fromCode);
        }
    }

    [Fact]
    public void Whole_number_settings_accept_the_table_range_and_nothing_outside_it_from_code_and_environment()
    {
        foreach (var setting in AppSettings.Where(d => d.Kind == SettingKind.Int))
        {
            var method = typeof(MimoBackupOptionsBuilder).GetMethod(setting.BuilderMethod!)!;
            foreach (var inside in new[] { setting.Minimum, setting.Maximum!.Value })
            {
                method.Invoke(new MimoBackupOptionsBuilder(), [inside]);
                MimoSettings.Resolve(Environment(setting.Name, inside), null, null, Here);
            }

            foreach (var outside in new[] { setting.Minimum - 1, setting.Maximum!.Value + 1 })
            {
                var thrown = Assert.Throws<TargetInvocationException>(() => method.Invoke(new MimoBackupOptionsBuilder(), [outside]));
                Assert.IsType<ArgumentOutOfRangeException>(thrown.InnerException);
                var error = Assert.Throws<MimoBackupException>(() => MimoSettings.Resolve(Environment(setting.Name, outside), null, null, Here));
                Assert.Equal("MIMO001", error.Error.Code);
                Assert.Contains($"from {setting.Minimum} to {setting.Maximum}", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Targets_settings_block_writes_every_app_setting_and_no_other()
    {
        var targets = Targets();
        var expected = AppSettings.Select(d => d.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(expected, Includes(targets, "_MimoSetting").Order(StringComparer.Ordinal));
        Assert.Equal(expected, Includes(targets, "_MimoSettingName").Order(StringComparer.Ordinal));
        foreach (var item in Items(targets, "_MimoSetting"))
        {
            var setting = SettingDefinitions.Get(item.Attribute("Include")!.Value);
            // Folders are written made absolute against the project folder; the rest as given.
            var property = setting.Kind == SettingKind.Folder ? "_" + setting.Name : setting.Name;
            Assert.Equal($"$([System.Uri]::EscapeDataString('$({property})'))", item.Attribute("Value")?.Value);
            Assert.Equal($"$([System.Uri]::EscapeDataString('$({setting.Name})'))", item.Attribute("Raw")?.Value);
            if (setting.Kind == SettingKind.Folder)
            {
                Assert.Contains(targets.Descendants(property), p => p.Value.Contains($"NormalizePath('$(MSBuildProjectDirectory)', '$({setting.Name})')", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void Targets_know_every_property_of_the_table_and_pass_each_command_option_to_the_runner()
    {
        var targets = Targets();
        var text = targets.ToString();

        Assert.Equal(SettingDefinitions.All.Select(d => d.Name).Order(StringComparer.Ordinal), Includes(targets, "_MimoKnownProperty").Order(StringComparer.Ordinal));

        var commands = SettingDefinitions.All.Where(d => d.Scope == SettingScope.Command).ToList();
        Assert.Equal(commands.Select(d => d.Name["Mimo".Length..]).Order(StringComparer.Ordinal), Includes(targets, "_MimoOption").Order(StringComparer.Ordinal));
        Assert.All(Items(targets, "_MimoOption"), o => Assert.Equal($"$(Mimo{o.Attribute("Include")!.Value})", o.Attribute("Value")?.Value));

        Assert.All(SettingDefinitions.All.Where(d => d.Scope == SettingScope.Targets), d => Assert.Contains($"$({d.Name})", text, StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_task_names_the_skip_setting_of_the_table()
    {
        var task = File.ReadAllText(Path.Combine(ReadmeTests.RepositoryRoot(), "src", "MimoBackup.EfCore.Tasks", "MimoWriteSettings.cs"));

        Assert.Contains($"SkipBackupName = \"{SettingDefinitions.SkipBackup.Name}\"", task, StringComparison.Ordinal);
    }

    [Fact]
    public void Readme_settings_table_has_one_row_per_app_setting_with_its_default_range_and_builder_call()
    {
        var lines = File.ReadAllLines(Path.Combine(ReadmeTests.RepositoryRoot(), "README.md"));
        var section = lines.SkipWhile(l => l != "## Settings").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        var rows = section.Where(l => l.StartsWith("| `Mimo", StringComparison.Ordinal)).ToList();

        var expected = AppSettings.Select(d => $"| `{d.Name}` | {d.DefaultText} | `{d.CodeExample}` | {d.Description}{(d.RangeText.Length > 0 ? " " + d.RangeText : "")} |").ToList();
        Assert.Equal(expected, rows);
        Assert.All(AppSettings, d => Assert.StartsWith($"o.{d.BuilderMethod}(", d.CodeExample, StringComparison.Ordinal));
    }

    private static Func<string, string?> Environment(string name, int value)
        => n => n == name ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>A valid value other than the default.</summary>
    private static string Sample(SettingDefinition setting) => setting.Example ?? setting.Kind switch
    {
        SettingKind.Bool => setting.DefaultBool ? "false" : "true",
        SettingKind.Int => (setting.DefaultInt == setting.Minimum ? setting.Maximum!.Value : setting.Minimum).ToString(System.Globalization.CultureInfo.InvariantCulture),
        SettingKind.Enum => setting.Values.First(v => v != setting.Default),
        SettingKind.Folder => Path.GetFullPath("/srv/sample-folder"),
        _ => "echo sample",
    };

    /// <summary>The values alone: where they came from differs between the two routes on purpose.</summary>
    private static MimoSettings Normal(MimoSettings settings) => settings with { EnabledSource = default, SkipSource = default };

    /// <summary>A doc element as text, with <c>&lt;c&gt;</c> as code spans, as the README writes them.</summary>
    private static string Text(XElement element)
        => Regex.Replace(string.Concat(element.Nodes().Select(n => n switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
            XElement other => other.Attribute("cref")?.Value.Split('.')[^1] ?? other.Value,
            _ => "",
        })), @"\s+", " ").Trim();
}
