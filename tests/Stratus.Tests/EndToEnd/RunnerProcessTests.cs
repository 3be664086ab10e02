using System.Diagnostics;
using System.Text.RegularExpressions;
using Stratus.LocalRunner.Azurite;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// The runner as the README starts it, in its own process: it starts Azurite itself, trains the demo models
/// through the TrainModel orchestration, serves predictions, and on SIGTERM stops everything it started.
/// </summary>
public sealed partial class RunnerProcessTests
{
    [Fact]
    public async Task Runner_seeds_demo_models_and_stops_everything_on_sigterm()
    {
        // A scratch root: its own settings and .stratus data; the repository's samples and installed tools.
        var root = Directory.CreateTempSubdirectory("stratus-runner-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "Functions.sln"), "");
        File.Copy(Path.Combine(TestPaths.Root, "local.settings.sample.json"), Path.Combine(root, "local.settings.sample.json"));
        Directory.CreateSymbolicLink(Path.Combine(root, ".tools"), TestPaths.ToolsDirectory);
        Directory.CreateSymbolicLink(Path.Combine(root, "samples"), Path.Combine(TestPaths.Root, "samples"));
        await AzuriteHost.EnsureInstalledAsync(TestPaths.ToolsDirectory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);

        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Stratus.LocalRunner.dll")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["STRATUS_URL"] = "http://127.0.0.1:0";
        using var runner = Process.Start(start)!;
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            log.Enqueue(line);
            if (RunningLine().Match(line) is { Success: true } match)
            {
                address.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        runner.OutputDataReceived += (_, e) => OnLine(e.Data);
        runner.ErrorDataReceived += (_, e) => OnLine(e.Data);
        runner.BeginOutputReadLine();
        runner.BeginErrorReadLine();

        try
        {
            var baseAddress = await address.Task.WaitAsync(TimeSpan.FromSeconds(120));
            using var client = new HttpClient { BaseAddress = baseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", "local-function-key");
            var predict = await client.PostAsJsonAsync("/api/models/iris/predict", new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
            Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
            Assert.Equal(1, (await predict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());

            var azurite = Process.GetProcesses().Where(p => IsAzuriteUnder(p, root)).ToArray();
            Assert.Single(azurite);

            Process.Start("kill", ["-TERM", runner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await runner.WaitForExitAsync(stopped.Token);
            Assert.True(azurite[0].WaitForExit(5000), "Azurite outlived the runner");
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\nRunner log:\n{string.Join('\n', log)}", e);
        }
        finally
        {
            if (!runner.HasExited)
            {
                runner.Kill(entireProcessTree: true);
            }

            foreach (var leftover in Process.GetProcesses().Where(p => IsAzuriteUnder(p, root)))
            {
                leftover.Kill();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static bool IsAzuriteUnder(Process process, string root)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
            return cmdline.Contains("azurite", StringComparison.Ordinal) && cmdline.Contains(root, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Stratus is running at (http://\S+?)/? \(")]
    private static partial Regex RunningLine();
}
