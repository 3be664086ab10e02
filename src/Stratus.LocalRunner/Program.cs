using System.Runtime.InteropServices;
using Stratus.LocalRunner;
using Stratus.LocalRunner.Hosting;
using Stratus.LocalRunner.Demo;

// Usage:
//   dotnet run -c Release --project src/Stratus.LocalRunner                      run Stratus on http://127.0.0.1:7071
//   dotnet run -c Release --project src/Stratus.LocalRunner -- --url http://127.0.0.1:8080
//   dotnet run -c Release --project src/Stratus.LocalRunner -- --gpu-tier-url off             no GPU tier process (default :7072)
//   dotnet run -c Release --project src/Stratus.LocalRunner -- --join --url http://127.0.0.1:7073
//                                                                a second instance on the running one's storage and task hub
//   dotnet run -c Release --project src/Stratus.LocalRunner -- make-demo-models  retrain samples/models/* from samples/data
var root = LocalSettings.FindRoot(Directory.GetCurrentDirectory());
if (args is ["make-demo-models", ..])
{
    foreach (var written in DemoModelBuilder.Build(Path.Combine(root, "samples", "data"), Path.Combine(root, "samples", "models")))
    {
        Console.WriteLine($"wrote {Path.GetRelativePath(root, written)}/model.onnx and card.json");
    }

    return 0;
}

var url = Environment.GetEnvironmentVariable("STRATUS_URL") ?? LocalRunnerOptions.DefaultUrl;
var gpuTierUrl = Environment.GetEnvironmentVariable("STRATUS_GPU_TIER_URL") ?? LocalRunnerOptions.DefaultGpuTierUrl;
var join = args.Contains("--join");
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] is "--url" or "--urls")
    {
        url = args[i + 1];
    }

    if (args[i] is "--gpu-tier-url")
    {
        gpuTierUrl = args[i + 1];
    }
}

// Until the host is up (and handles signals itself), Ctrl-C or SIGTERM cancels start-up, which stops
// whatever was already started (Azurite, the engine) before exiting.
using var startup = new CancellationTokenSource();
void CancelStartup(PosixSignalContext signal)
{
    signal.Cancel = true;
    startup.Cancel();
}

LocalRunnerHost host;
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, CancelStartup))
using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, CancelStartup))
{
    try
    {
        host = await LocalRunnerHost.StartAsync(new LocalRunnerOptions { Root = root, Url = url, GpuTierUrl = gpuTierUrl == "off" ? null : gpuTierUrl, Join = join, SeedDemoModels = !join }, startup.Token);
    }
    catch (OperationCanceledException) when (startup.IsCancellationRequested)
    {
        Console.Error.WriteLine("Start-up cancelled; everything started so far has been stopped.");
        return 130;
    }
    catch (InvalidOperationException e) when (join)
    {
        Console.Error.WriteLine(e.Message); // nothing to join: a message, not a stack trace
        return 1;
    }
}

await using (host)
{
    await host.WaitForShutdownAsync();
}

return 0;
