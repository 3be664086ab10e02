using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Stratus.LocalRunner.Azurite;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// The runner as its own process, as the README starts it, over a scratch root (own settings and .stratus data;
/// the repository's samples and installed tools), so it can be signalled, killed and restarted.
/// </summary>
public sealed partial class RunnerProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _log = new();
    private readonly bool _ownsRoot;
    private Process? _process;

    private RunnerProcess(string root, bool ownsRoot = true)
    {
        Root = root;
        _ownsRoot = ownsRoot;
    }

    public string Root { get; }
    public Uri? BaseAddress { get; private set; }

    /// <summary>The instance id from the ready line: what this process's activity log lines name.</summary>
    public string? Instance { get; private set; }
    public int Id => _process!.Id;
    public string Log => string.Join('\n', _log);

    public static async Task<RunnerProcess> CreateRootAsync()
    {
        var root = Directory.CreateTempSubdirectory("stratus-runner-").FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "Functions.sln"), "");
        File.Copy(Path.Combine(TestPaths.Root, "local.settings.sample.json"), Path.Combine(root, "local.settings.sample.json"));
        await AzuriteHost.EnsureInstalledAsync(TestPaths.ToolsDirectory, TestPaths.Tools.Azurite, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, CancellationToken.None);
        Directory.CreateSymbolicLink(Path.Combine(root, ".tools"), TestPaths.ToolsDirectory);
        Directory.CreateSymbolicLink(Path.Combine(root, ".ci"), Path.Combine(TestPaths.Root, ".ci"));
        Directory.CreateSymbolicLink(Path.Combine(root, "samples"), Path.Combine(TestPaths.Root, "samples"));
        return new RunnerProcess(root);
    }

    /// <summary>A second runner over the same root, started with <c>--join</c>; disposing it leaves the root and its Azurite alone.</summary>
    public RunnerProcess Joiner() => new(Root, ownsRoot: false);

    /// <summary>Starts the runner (with the command-line <paramref name="arguments"/>) and waits until it reports its address.</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Stratus.LocalRunner.dll"), .. arguments])
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["STRATUS_URL"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = Process.Start(start)!;
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            _log.Enqueue(line);
            if (RunningLine().Match(line) is { Success: true } match)
            {
                Instance = match.Groups[2].Value;
                address.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            BaseAddress = await address.Task.WaitAsync(TimeSpan.FromSeconds(180));
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException("The runner did not start. Log:\n" + Log);
        }
    }

    public HttpClient Client(string key = "local-admin-key")
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Add("x-functions-key", key);
        return client;
    }

    /// <summary>An orchestration's status route (<see cref="Stratus.Core.Http.Routes.DurableInstance"/>) for <paramref name="instanceId"/>.</summary>
    public static string StatusPath(string instanceId) =>
        "/" + Stratus.Core.Http.Routes.DurableInstance.Replace("{instanceId}", Uri.EscapeDataString(instanceId), StringComparison.Ordinal);

    /// <summary>Polls an orchestration's status through a runner until it stops answering 202 (running): its final status code and body.</summary>
    public static Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> WhenEndedAsync(HttpClient client, string instanceId, TimeSpan timeout, string what) =>
        Poll.UntilAsync(
            async ct =>
            {
                using var status = await client.GetAsync(StatusPath(instanceId), ct);
                return (status.StatusCode, await status.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(ct));
            },
            status => status.StatusCode != HttpStatusCode.Accepted,
            timeout,
            what);

    public void Signal(string signal) =>
        Process.Start("kill", [$"-{signal}", Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    public Task WaitForExitAsync(TimeSpan timeout) => _process!.WaitForExitAsync(new CancellationTokenSource(timeout).Token);

    /// <summary>Azurite processes serving this root's data.</summary>
    public Process[] Azurite() => Process.GetProcesses().Where(IsAzuriteHere).ToArray();

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_ownsRoot)
        {
            return;
        }

        foreach (var leftover in Azurite())
        {
            leftover.Kill();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    private bool IsAzuriteHere(Process process)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{process.Id}/cmdline").Replace('\0', ' ');
            return cmdline.Contains("azurite", StringComparison.Ordinal) && cmdline.Contains(Root, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Stratus is ready at (http://\S+?)/? \(.*instance ([^,)]+)")]
    private static partial Regex RunningLine();
}
