using System.Text.RegularExpressions;
using System.Xml.Linq;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Unit;

/// <summary>The tier's Dockerfile stays in step with the code it packages (no Docker engine here to build it).</summary>
public sealed partial class GpuTierImageTests
{
    private static readonly string Dockerfile = File.ReadAllText(Path.Combine(TestPaths.Root, "src", "Stratus.GpuTier", "Dockerfile"));

    [Fact]
    public void The_image_copies_every_project_the_tier_references()
    {
        var closure = new HashSet<string>();
        void Walk(string csproj)
        {
            var full = Path.GetFullPath(csproj);
            if (!closure.Add(Path.GetRelativePath(TestPaths.Root, Path.GetDirectoryName(full)!).Replace('\\', '/')))
            {
                return;
            }

            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference"))
            {
                Walk(Path.Combine(Path.GetDirectoryName(full)!, reference.Attribute("Include")!.Value.Replace('\\', '/')));
            }
        }

        Walk(Path.Combine(TestPaths.Root, "src", "Stratus.GpuTier", "Stratus.GpuTier.csproj"));
        Assert.Contains("src/Stratus.Serving", closure);
        foreach (var project in closure)
        {
            Assert.Contains($"COPY {project}/ {project}/", Dockerfile);
            Assert.Contains($"COPY {project}/{Path.GetFileName(project)}.csproj {project}/", Dockerfile);
        }
    }

    [Fact]
    public void The_runtime_stage_is_cuda_13_with_cudnn_9_runs_as_a_non_root_user_and_probes_the_v2_health_route()
    {
        // ONNX Runtime GPU 1.31 is built against CUDA 13 and cuDNN 9.
        Assert.Matches(CudaBase(), Dockerfile);
        var user = Dockerfile.Split('\n').Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user);
        Assert.Contains(Stratus.Core.Http.Routes.V2Live, Dockerfile);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu.Linux", File.ReadAllText(Path.Combine(TestPaths.Root, "src", "Stratus.GpuTier", "Stratus.GpuTier.csproj")));
        Assert.DoesNotContain("Include=\"Microsoft.ML.OnnxRuntime\"", File.ReadAllText(Path.Combine(TestPaths.Root, "src", "Stratus.GpuTier", "Stratus.GpuTier.csproj")));
    }

    [GeneratedRegex(@"nvidia/cuda:13\.\d+\.\d+-cudnn-runtime-ubuntu")]
    private static partial Regex CudaBase();
}
