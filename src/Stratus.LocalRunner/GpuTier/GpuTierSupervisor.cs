namespace Stratus.LocalRunner.GpuTier;

/// <summary>
/// Keeps the GPU tier process running, as Container Apps keeps a replica running: when it exits without being asked to
/// (a crash, a kill), it is started again on the same address, after a pause that doubles while starts fail or the
/// process dies again within <see cref="StableUptime"/>.
/// The function app is never restarted: meanwhile its calls to the tier answer 503 with Retry-After (or fall back to
/// CPU where the card allows), and they recover by themselves once the tier answers again.
/// </summary>
public sealed partial class GpuTierSupervisor : IAsyncDisposable
{
    /// <summary>The pause before the first restart; it doubles after each failed start, up to <see cref="MaxRestartDelay"/>.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    /// <summary>A process that ran this long before exiting was healthy: its restart waits only <see cref="RestartDelay"/> again.</summary>
    public static readonly TimeSpan StableUptime = TimeSpan.FromSeconds(30);

    private readonly Func<CancellationToken, Task<GpuTierProcess>> _start;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watching;
    private GpuTierProcess _current;
    private int _restarts;

    private GpuTierSupervisor(GpuTierProcess first, Func<CancellationToken, Task<GpuTierProcess>> start, TimeProvider clock, ILogger logger)
    {
        _current = first;
        _start = start;
        _clock = clock;
        _logger = logger;
        _watching = WatchAsync();
    }

    /// <summary>Starts the tier with <paramref name="start"/> (which waits until it is live) and watches it from then on.</summary>
    public static async Task<GpuTierSupervisor> StartAsync(Func<CancellationToken, Task<GpuTierProcess>> start, TimeProvider clock, ILogger logger, CancellationToken cancellationToken) =>
        new(await start(cancellationToken), start, clock, logger);

    public Uri Address => _current.Address;

    /// <summary>The tier's current process (a test kills it to see the restart).</summary>
    public int ProcessId => Volatile.Read(ref _current).ProcessId;

    /// <summary>How many times the tier was started again after it exited.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Volatile.Read(ref _current).WaitUntilReadyAsync(cancellationToken);

    private async Task WatchAsync()
    {
        var delay = TimeSpan.Zero;
        var started = _clock.GetTimestamp();
        try
        {
            var exitCode = await _current.WaitForExitAsync(_stopping.Token);
            while (true)
            {
                delay = delay == TimeSpan.Zero || _clock.GetElapsedTime(started) >= StableUptime ? RestartDelay : Longer(delay);
                LogExited(exitCode, delay.TotalSeconds);
                await Task.Delay(delay, _clock, _stopping.Token);
                GpuTierProcess next;
                try
                {
                    next = await _start(_stopping.Token);
                }
                catch (Exception e) when (!_stopping.IsCancellationRequested)
                {
                    // Not started: try again after a longer pause (the dead process stays current meanwhile).
                    LogRestartFailed(e.Message);
                    started = _clock.GetTimestamp();
                    continue;
                }

                var dead = Volatile.Read(ref _current);
                Volatile.Write(ref _current, next); // readers see the live process before the dead one is disposed
                await dead.DisposeAsync();
                Interlocked.Increment(ref _restarts);
                LogRestarted(next.ProcessId);
                started = _clock.GetTimestamp();
                exitCode = await next.WaitForExitAsync(_stopping.Token);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the runner is stopping; DisposeAsync stops the tier
        }
    }

    /// <summary>The first restart waits <see cref="RestartDelay"/>; each quick failure after it doubles the pause.</summary>
    private static TimeSpan Longer(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(MaxRestartDelay.Ticks, delay.Ticks * 2));

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _watching;
        await _current.DisposeAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The GPU tier is down (last exit code {ExitCode}); starting it again in {DelaySeconds} s")]
    private partial void LogExited(int exitCode, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The GPU tier was started again (process {Pid})")]
    private partial void LogRestarted(int pid);

    [LoggerMessage(Level = LogLevel.Error, Message = "The GPU tier could not be started again: {Reason}")]
    private partial void LogRestartFailed(string reason);
}
