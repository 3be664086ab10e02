using Stratus.LocalRunner.Hosting;

namespace Stratus.Benchmarks;

public sealed record BenchmarkOptions(string Mode, string Url, string Path, int[] Connections, int Seconds, string? Key, bool Monitoring = true, int[]? ServerPids = null, bool Shadow = false)
{
    /// <summary>Process ids of the servers being compared (<c>--pids</c>), in the order the comparison names them.</summary>
    public int[] Pids => ServerPids ?? [];

    public static string Root { get; } = LocalSettings.FindRoot(Directory.GetCurrentDirectory());

    public static string DataPath => System.IO.Path.Combine(Root, "samples", "data", "breast_cancer.csv");

    public static string ModelPath => System.IO.Path.Combine(Root, "samples", "models", "breast-cancer", "model.onnx");

    /// <summary>One row of samples/data/breast_cancer.csv: the request every run sends.</summary>
    public static readonly float[] Row = [17.99f, 10.38f, 122.8f, 1001.0f, 0.1184f, 0.2776f, 0.3001f, 0.1471f, 0.2419f, 0.07871f, 1.095f, 0.9053f, 8.589f, 153.4f, 0.006399f, 0.04904f, 0.05373f, 0.01587f, 0.03003f, 0.006193f, 25.38f, 17.33f, 184.6f, 2019.0f, 0.1622f, 0.6656f, 0.7119f, 0.2654f, 0.4601f, 0.1189f];

    public static string Body => $"{{\"instances\":[[{string.Join(',', Row.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]]}}";

    public static BenchmarkOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        return new BenchmarkOptions(
            args.FirstOrDefault() ?? "",
            Get("--url", "http://127.0.0.1:5080"),
            Get("--path", "/predict"),
            Get("--connections", "1,16,64").Split(',').Select(int.Parse).ToArray(),
            int.Parse(Get("--seconds", "10"), System.Globalization.CultureInfo.InvariantCulture),
            args.Contains("--key") ? Get("--key", "") : null,
            Get("--monitoring", "on") != "off",
            Get("--pids", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray(),
            args.Contains("--shadow"));
    }
}
