using System.Diagnostics;
using System.Reflection;
using Stratus.Core.Configuration;
using Stratus.Core.Http;

namespace Stratus.LocalRunner.GpuTier;

/// <summary>
/// Runs the GPU tier app (src/Stratus.GpuTier, built alongside the runner) as its own process, as it runs in its
/// own container in Azure: same registry, its own ONNX Runtime (CUDA when present, else CPU). It leaves with the
/// runner: SIGTERM (drain) on dispose, and it exits by itself if the runner dies (its standard input closes).
/// </summary>
public sealed class GpuTierProcess : IAsyncDisposable
{
    /// <summary>Local drain window unless configured: Ctrl-C should not wait Azure's 30 s.</summary>
    private const int LocalDrainSeconds = 5;

    private static readonly string DrainSetting = OptionPaths.TierDrainSeconds.Key;

    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly TimeSpan _drain;

    private GpuTierProcess(Process process, Uri address, TimeSpan drain, ILogger logger)
    {
        _process = process;
        Address = address;
        _drain = drain;
        _logger = logger;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>Completes when the process exits, for whatever reason; answers its exit code.</summary>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>The tier's entry assembly as built from this checkout, or null when it has not been built.</summary>
    public static string? FindAssembly(string root)
    {
        var relative = typeof(GpuTierProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GpuTierAssembly")?.Value;
        var path = relative is null ? null : Path.Combine(root, relative);
        return path is not null && File.Exists(path) ? path : null;
    }

    /// <summary>Starts the tier on <paramref name="url"/> and waits until it is live (not ready: it warms up its models after).</summary>
    public static async Task<GpuTierProcess> StartAsync(string assembly, string url, IConfiguration configuration, ILogger logger, CancellationToken cancellationToken)
    {
        // Whatever answers there now is not ours (a tier left from another checkout would serve another registry).
        if (await AnswersAsync(new Uri(url), cancellationToken))
        {
            throw new InvalidOperationException($"{url} is already in use; stop what listens there or pass --gpu-tier-url.");
        }

        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!, // its content root: appsettings.json
        };
        if (start.FileName != "dotnet")
        {
            start.ArgumentList.Add("dotnet"); // own session: a terminal's Ctrl-C reaches the runner, which then drains the tier
        }

        start.ArgumentList.Add(assembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(url);
        start.Environment[SettingNames.Storage] = configuration[SettingNames.Storage];
        start.Environment[SettingNames.ExitWithParent] = "true";
        foreach (var (key, value) in configuration.GetSection(StratusOptions.Section).AsEnumerable())
        {
            if (value is not null)
            {
                start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        // Local runs reach the tier on 127.0.0.1 only, so it is opened on purpose unless an audience was configured.
        if (string.IsNullOrEmpty(configuration[OptionPaths.TierAuthAudience.Key]))
        {
            start.Environment[OptionPaths.TierAuthAllowAnonymous.Env] = "true";
        }

        var drain = configuration.GetValue(DrainSetting, LocalDrainSeconds);
        start.Environment[DrainSetting.Replace(":", "__", StringComparison.Ordinal)] = drain.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the GPU tier process.");
        process.OutputDataReceived += (_, e) => Forward(logger, e.Data);
        process.ErrorDataReceived += (_, e) => Forward(logger, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var tier = new GpuTierProcess(process, new Uri(url), TimeSpan.FromSeconds(drain), logger);
        try
        {
            await tier.WaitUntilLiveAsync(cancellationToken);
            return tier;
        }
        catch
        {
            await tier.DisposeAsync();
            throw;
        }
    }

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private Task WaitUntilLiveAsync(CancellationToken cancellationToken) => WaitForAsync(Routes.V2Live, "live", cancellationToken);

    /// <summary>Waits until the tier is ready: its preloaded models warm (it answers 503 until then).</summary>
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => WaitForAsync(Routes.V2Ready, "ready", cancellationToken);

    private async Task WaitForAsync(string route, string state, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var waited = Stopwatch.StartNew(); // monotonic: bounds the wait for another process
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The GPU tier exited at start-up with code {_process.ExitCode} (is {Address} already in use?).");
            }

            try
            {
                using var response = await http.GetAsync(route, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    _logger.LogInformation("GPU tier is {State} at {Address} (process {Pid})", state, Address, _process.Id);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // slow answer; try again
            }

            if (waited.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The GPU tier did not answer {route} at {Address} within 60 s.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<bool> AnswersAsync(Uri address, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(1) };
        try
        {
            using var response = await http.GetAsync(Routes.V2Live, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static void Forward(ILogger logger, string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            logger.LogInformation("[gpu-tier] {Line}", line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the tier stops taking work, drains its queues, then exits.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(_drain + TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _logger.LogWarning("GPU tier did not stop within its drain window; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }
}
