using Stratus.LocalRunner.Hosting;

namespace Stratus.Tests.Fixtures;

public static class TestPaths
{
    public static string Root { get; } = LocalSettings.FindRoot(AppContext.BaseDirectory);
    public static string ToolsDirectory => Path.Combine(Root, ".tools");
    public static ToolVersions Tools { get; } = ToolVersions.Load(Root);
    public static string SampleModel(string name) => Path.Combine(Root, "samples", "models", name, "model.onnx");
}
