using System.Diagnostics;
using System.Text.Json;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// infra/main.bicep compiled to ARM JSON by the pinned Bicep CLI (fetched from NuGet into .tools/ on first use,
/// as .ci/run does), once per test run.
/// </summary>
public static class CompiledInfra
{
    public static string BicepVersion => TestPaths.Tools.Bicep;

    private static readonly Lazy<JsonElement> Template = new(Compile);

    public static JsonElement MainTemplate => Template.Value;

    private static JsonElement Compile()
    {
        var bicep = Path.Combine(TestPaths.ToolsDirectory, "nuget", "azure.bicep.commandline.linux-x64", BicepVersion, "tools", "bicep");
        if (!File.Exists(bicep))
        {
            Run("dotnet", ["package", "download", $"Azure.Bicep.CommandLine.linux-x64@{BicepVersion}", "--output", Path.Combine(TestPaths.ToolsDirectory, "nuget")]);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(bicep, File.GetUnixFileMode(bicep) | UnixFileMode.UserExecute);
            }
        }

        var json = Run(bicep, ["build", Path.Combine(TestPaths.Root, "infra", "main.bicep"), "--stdout"]);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private static string Run(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>The one resource of <paramref name="type"/> in the template or its modules, with its template's variables.</summary>
    public static (JsonElement Resource, JsonElement Variables) Resource(string type) => Assert.Single(Find(type));

    /// <summary>Every resource of <paramref name="type"/> in the template or its modules.</summary>
    public static IReadOnlyList<JsonElement> Resources(string type) => Find(type).Select(r => r.Resource).ToArray();

    private static List<(JsonElement Resource, JsonElement Variables)> Find(string type)
    {
        var found = new List<(JsonElement, JsonElement)>();
        void Walk(JsonElement node, JsonElement variables)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("$schema", out _) && node.TryGetProperty("resources", out _))
                {
                    variables = node.TryGetProperty("variables", out var own) ? own : default;
                }

                if (node.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type && node.TryGetProperty("properties", out _))
                {
                    found.Add((node, variables));
                }

                foreach (var child in node.EnumerateObject())
                {
                    Walk(child.Value, variables);
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, variables);
                }
            }
        }

        Walk(MainTemplate, default);
        return found;
    }

    /// <summary>Every <c>{name, value}</c> entry of every array property called <paramref name="property"/>, anywhere in the template.</summary>
    public static IReadOnlyList<(string Name, JsonElement Value)> NamedEntries(string property)
    {
        var found = new List<(string, JsonElement)>();
        void Walk(JsonElement node)
        {
            switch (node.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var child in node.EnumerateObject())
                    {
                        if (child.Name == property && child.Value.ValueKind == JsonValueKind.Array)
                        {
                            found.AddRange(child.Value.EnumerateArray()
                                .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("name", out _))
                                .Select(e => (e.GetProperty("name").GetString()!, e.TryGetProperty("value", out var v) ? v : default)));
                        }

                        Walk(child.Value);
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (var item in node.EnumerateArray())
                    {
                        Walk(item);
                    }

                    break;
            }
        }

        Walk(MainTemplate);
        return found;
    }
}
