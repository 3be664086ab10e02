using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Stratus.Core.Configuration;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>A default lives in its options type; the README and the sample settings must say the same.</summary>
public sealed partial class OptionDefaultsTests
{
    /// <summary>The default of the property an app-setting name (<c>Stratus__Serving__MaxInstances</c>) binds, as configuration would spell it.</summary>
    private static string? DefaultOf(string setting)
    {
        object? value = new StratusOptions();
        foreach (var segment in setting.Split("__").Skip(1))
        {
            var property = value?.GetType().GetProperty(segment, BindingFlags.Public | BindingFlags.Instance);
            Assert.True(property is not null, $"{setting} names no property of {nameof(StratusOptions)}");
            value = property!.GetValue(value);
        }

        return Convert.ToString(value, CultureInfo.InvariantCulture);
    }

    [Fact]
    public void The_readme_configuration_table_states_each_settings_default_as_its_options_type_does()
    {
        var rows = File.ReadLines(Path.Combine(TestPaths.Root, "README.md")).Select(l => ReadmeRow().Match(l)).Where(m => m.Success).ToArray();
        Assert.True(rows.Length >= 10, "the README's configuration table was not found");

        foreach (var row in rows)
        {
            var setting = row.Groups["setting"].Value;
            var stated = row.Groups["default"].Value.Trim().Split(' ')[0].Trim('`');
            var actual = DefaultOf(setting);
            if (stated == "unset")
            {
                Assert.True(actual is null or "", $"README says {setting} is unset by default; its options type says '{actual}'");
            }
            else if (actual is not null && !actual.StartsWith("System.", StringComparison.Ordinal))
            {
                Assert.True(string.Equals(stated, actual, StringComparison.OrdinalIgnoreCase), $"README says {setting} defaults to '{stated}'; its options type says '{actual}'");
            }
        }
    }

    [Fact]
    public void The_sample_settings_use_each_settings_default()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Root, "local.settings.sample.json")));
        foreach (var entry in sample.RootElement.GetProperty("Values").EnumerateObject().Where(e => e.Name.StartsWith(StratusOptions.Section + "__", StringComparison.Ordinal)))
        {
            Assert.Equal(DefaultOf(entry.Name), entry.Value.GetString());
        }
    }

    [Fact]
    public void Option_paths_are_derived_from_the_options_types()
    {
        Assert.Equal("Stratus:GpuTier:BaseUrl", OptionPaths.GpuTierBaseUrl.Key);
        Assert.Equal("Stratus__Tier__Auth__Audience", OptionPaths.TierAuthAudience.Env);
        Assert.Equal(nameof(StratusOptions.LocalEngine), OptionPath.Of(o => o.LocalEngine.VisibilityTimeoutSeconds).Segments[1]);
    }

    /// <summary>A README row naming exactly one setting: <c>| `Stratus__A__B` | default | meaning |</c>.</summary>
    [GeneratedRegex(@"^\| `(?<setting>Stratus__[A-Za-z_]+)` \| (?<default>[^|]+) \|")]
    private static partial Regex ReadmeRow();
}
