using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Stratus.Tests.Fixtures;

/// <summary>
/// A fake clock that reports each timer (a <c>Task.Delay</c>, a timeout) set on it, so a test moves time only once
/// the code under test is waiting on it: no race between advancing time and the code reaching its wait.
/// </summary>
public sealed class TimerSignallingClock : FakeTimeProvider
{
    private static readonly TimeSpan SafetyTimeout = TimeSpan.FromSeconds(30);

    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public TimerSignallingClock()
    {
    }

    public TimerSignallingClock(DateTimeOffset startTime)
        : base(startTime)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new SignallingTimer(base.CreateTimer(callback, state, dueTime, period), _timers.Writer);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer due after <paramref name="dueTime"/> is set or changed to it (others are skipped).</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var timeout = new CancellationTokenSource(SafetyTimeout);
        while (await _timers.Reader.ReadAsync(timeout.Token) != dueTime)
        {
        }
    }

    /// <summary>Reports a timer set again (a <c>CancelAfter</c>), as a new one is.</summary>
    private sealed class SignallingTimer(ITimer timer, ChannelWriter<TimeSpan> timers) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = timer.Change(dueTime, period);
            timers.TryWrite(dueTime);
            return changed;
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
