using System.Text.Json;

namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// Reads the <c>Values</c> of local.settings.json (or, on a fresh clone, local.settings.sample.json) the way
/// Core Tools does: each value becomes a setting, with <c>__</c> as the section separator.
/// </summary>
public static class LocalSettings
{
    public const string FileName = "local.settings.json";
    public const string SampleFileName = "local.settings.sample.json";

    public static (string? Path, Dictionary<string, string?> Values) Load(string root)
    {
        var path = new[] { FileName, SampleFileName }.Select(f => System.IO.Path.Combine(root, f)).FirstOrDefault(File.Exists);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is null)
        {
            return (null, values);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (document.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] =
                    property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        return (path, values);
    }

    /// <summary>Walks up from <paramref name="start"/> to the repository root (the folder holding Functions.sln).</summary>
    public static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Functions.sln")))
            {
                return dir.FullName;
            }
        }

        return start;
    }
}
