namespace Stratus.LocalRunner.GpuTier;

/// <summary>
/// Keeps the GPU tier process running, as Container Apps keeps a replica running: when it exits without being asked to
/// (a crash, a kill), it is started again on the same address, after a pause that doubles while starts keep failing.
/// The function app is never restarted: meanwhile its calls to the tier answer 503 with Retry-After (or fall back to
/// CPU where the card allows), and they recover by themselves once the tier answers again.
/// </summary>
public sealed partial class GpuTierSupervisor : IAsyncDisposable
{
    /// <summary>The pause before the first restart; it doubles after each failed start, up to <see cref="MaxRestartDelay"/>.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    private readonly Func<CancellationToken, Task<GpuTierProcess>> _start;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;
    private GpuTierProcess _current;
    private int _restarts;

    private GpuTierSupervisor(GpuTierProcess first, Func<CancellationToken, Task<GpuTierProcess>> start, ILogger logger)
    {
        _current = first;
        _start = start;
        _logger = logger;
        _watching = WatchAsync();
    }

    /// <summary>Starts the tier with <paramref name="start"/> (which waits until it is live) and watches it from then on.</summary>
    public static async Task<GpuTierSupervisor> StartAsync(Func<CancellationToken, Task<GpuTierProcess>> start, ILogger logger, CancellationToken cancellationToken) =>
        new(await start(cancellationToken), start, logger);

    public Uri Address => _current.Address;

    /// <summary>The tier's current process (a test kills it to see the restart).</summary>
    public int ProcessId => Volatile.Read(ref _current).ProcessId;

    /// <summary>How many times the tier was started again after it exited.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Volatile.Read(ref _current).WaitUntilReadyAsync(cancellationToken);

    private async Task WatchAsync()
    {
        var delay = RestartDelay;
        try
        {
            while (true)
            {
                var exitCode = await _current.WaitForExitAsync(_stopping.Token);
                LogExited(exitCode, delay.TotalSeconds);
                await Task.Delay(delay, _stopping.Token);
                try
                {
                    var next = await _start(_stopping.Token);
                    await _current.DisposeAsync();
                    Volatile.Write(ref _current, next);
                    Interlocked.Increment(ref _restarts);
                    LogRestarted(next.ProcessId);
                    delay = RestartDelay;
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException)
                {
                    // The dead process stays current, so the loop comes straight back here, after a longer pause.
                    LogRestartFailed(e.Message);
                    delay = TimeSpan.FromTicks(Math.Min(MaxRestartDelay.Ticks, delay.Ticks * 2));
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the runner is stopping; DisposeAsync stops the tier
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watching;
        await _current.DisposeAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The GPU tier exited (code {ExitCode}); starting it again in {DelaySeconds} s")]
    private partial void LogExited(int exitCode, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The GPU tier was started again (process {Pid})")]
    private partial void LogRestarted(int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "The GPU tier could not be started again: {Reason}")]
    private partial void LogRestartFailed(string reason);
}
