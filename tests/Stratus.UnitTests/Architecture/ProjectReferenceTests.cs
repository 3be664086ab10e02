using System.Xml.Linq;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>
/// The architecture as the project files state it: which project may reference which, and which packages each may
/// pull in. A reference that crosses a boundary (Core taking an Azure package, Serving taking the function app) fails here.
/// </summary>
public sealed class ProjectReferenceTests
{
    /// <summary>Each source project and the projects it may reference directly; every src project must be listed.</summary>
    public static readonly TheoryData<string, string[]> AllowedProjects = new()
    {
        { "Stratus.Core", [] },
        { "Stratus.Registry", ["Stratus.Core"] },
        { "Stratus.Storage", ["Stratus.Core"] },
        { "Stratus.GpuTier.Client", ["Stratus.Core"] },
        { "Stratus.ServiceDefaults", ["Stratus.Core"] },
        { "Stratus.Monitoring", ["Stratus.Core"] },
        { "Stratus.Serving", ["Stratus.Core", "Stratus.Registry", "Stratus.GpuTier.Client"] },
        { "Stratus.Training", ["Stratus.Core", "Stratus.Registry"] },
        { "Stratus.Reliability", ["Stratus.Core", "Stratus.Registry", "Stratus.Serving", "Stratus.Monitoring"] },
        { "Stratus.Experiments", ["Stratus.Core", "Stratus.Registry", "Stratus.Serving", "Stratus.GpuTier.Client"] },
        { "Stratus.Dashboard", [] },
        { "Stratus.Functions", ["Stratus.Core", "Stratus.Storage", "Stratus.Registry", "Stratus.Serving", "Stratus.GpuTier.Client", "Stratus.ServiceDefaults", "Stratus.Training", "Stratus.Reliability", "Stratus.Experiments", "Stratus.Dashboard"] },
        { "Stratus.GpuTier", ["Stratus.Core", "Stratus.Storage", "Stratus.Registry", "Stratus.Serving", "Stratus.ServiceDefaults"] },
        { "Stratus.LocalRunner", ["Stratus.Functions", "Stratus.Training", "Stratus.ServiceDefaults", "Stratus.GpuTier"] },
    };

    /// <summary>Package (or framework) name prefixes a project must not take directly.</summary>
    public static readonly TheoryData<string, string[]> ForbiddenPackages = new()
    {
        { "Stratus.Core", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Extensions.Http", "Microsoft.Azure.Functions"] },
        { "Stratus.Registry", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions"] },
        { "Stratus.Storage", ["Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions"] },
        { "Stratus.GpuTier.Client", ["Microsoft.AspNetCore", "Microsoft.ML", "Azure.Storage", "Azure.Data", "Microsoft.Azure.Functions"] },
        { "Stratus.Serving", ["Microsoft.AspNetCore", "Azure.", "Microsoft.ML.OnnxRuntime.Gpu", "Microsoft.Azure.Functions", "OpenTelemetry"] },
        { "Stratus.Training", ["Microsoft.AspNetCore", "Azure.", "Microsoft.Azure.Functions"] },
        { "Stratus.ServiceDefaults", ["Microsoft.ML", "Azure.Storage", "Azure.Data", "Microsoft.Azure.Functions"] },
        { "Stratus.GpuTier", ["Microsoft.Azure.Functions"] },
        { "Stratus.Monitoring", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions"] },
        { "Stratus.Experiments", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions"] },
        { "Stratus.Dashboard", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions"] },
        { "Stratus.Reliability", ["Azure.", "Microsoft.AspNetCore", "Microsoft.ML", "Microsoft.Azure.Functions", "OpenTelemetry"] },
    };

    private static string ProjectFile(string project) => Path.Combine(TestPaths.Root, "src", project, project + ".csproj");

    private static IEnumerable<XElement> Items(string project, string item) => XDocument.Load(ProjectFile(project)).Descendants(item);

    [Theory]
    [MemberData(nameof(AllowedProjects))]
    public void A_source_project_references_only_the_projects_below_it(string project, string[] allowed)
    {
        var referenced = Items(project, "ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToArray();

        var unexpected = referenced.Except(allowed).ToArray();
        Assert.True(unexpected.Length == 0, $"{project} references {string.Join(", ", unexpected)}");
    }

    [Theory]
    [MemberData(nameof(ForbiddenPackages))]
    public void A_source_project_takes_no_package_or_framework_from_another_layer(string project, string[] forbidden)
    {
        var taken = Items(project, "PackageReference").Concat(Items(project, "FrameworkReference"))
            .Select(r => r.Attribute("Include")!.Value);

        var crossing = taken.Where(name => forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToArray();
        Assert.True(crossing.Length == 0, $"{project} takes {string.Join(", ", crossing)}");
    }

    [Fact]
    public void Every_source_project_has_its_place_in_the_architecture()
    {
        var projects = Directory.GetDirectories(Path.Combine(TestPaths.Root, "src")).Select(Path.GetFileName).Where(p => File.Exists(ProjectFile(p!)));
        var listed = AllowedProjects.Select(row => (string)row[0]).ToHashSet();

        var unplaced = projects.Where(p => !listed.Contains(p!)).ToArray();
        Assert.True(unplaced.Length == 0, $"not in AllowedProjects: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void Only_the_hosts_carry_a_native_onnx_runtime_and_never_both()
    {
        string[] Natives(string project) => Items(project, "PackageReference").Select(r => r.Attribute("Include")!.Value)
            .Where(n => n is "Microsoft.ML.OnnxRuntime" or "Microsoft.ML.OnnxRuntime.Gpu.Linux").ToArray();

        Assert.Equal(["Microsoft.ML.OnnxRuntime"], Natives("Stratus.Functions"));
        Assert.Equal(["Microsoft.ML.OnnxRuntime.Gpu.Linux"], Natives("Stratus.GpuTier"));
        Assert.All(new[] { "Stratus.Core", "Stratus.Registry", "Stratus.Serving", "Stratus.Training", "Stratus.Storage" }, p => Assert.Empty(Natives(p)));
    }
}
