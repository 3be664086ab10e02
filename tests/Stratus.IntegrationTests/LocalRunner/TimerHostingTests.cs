using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.LocalRunner.Hosting;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

public sealed class TimerHostingTests
{
    [Fact]
    public async Task A_timer_function_fires_once_per_occurrence_of_its_schedule_setting_and_reports_the_previous_and_next_occurrence()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Test:Schedule"] = "*/1 * * * * *" }).Build();
        using var services = new ServiceCollection().BuildServiceProvider();
        var catalog = FunctionCatalog.FromAssembly(typeof(TestFunctions).Assembly);
        Assert.Equal([nameof(TestFunctions.TestEverySecond)], catalog.Timers.Select(t => t.Name));
        while (TestFunctions.TimerCalls.Reader.TryRead(out _))
        {
        }

        // Time moves only when the test moves it, and only once the host waits for its next occurrence.
        var start = new DateTimeOffset(2026, 11, 30, 1, 0, 0, 250, TimeSpan.Zero);
        var occurrences = Enumerable.Range(1, 4).Select(s => new DateTimeOffset(2026, 11, 30, 1, 0, s, TimeSpan.Zero)).ToArray();
        var clock = new TimerSignallingClock(start);
        using var host = new TimerFunctionHost(catalog, services, configuration, clock, NullLogger<TimerFunctionHost>.Instance);
        var calls = new List<TimerInfo>();
        await host.StartAsync(CancellationToken.None);
        try
        {
            await clock.WaitForTimerAsync(occurrences[0] - start);
            Assert.False(TestFunctions.TimerCalls.Reader.TryRead(out _)); // nothing before the first occurrence

            for (var i = 0; i < 3; i++)
            {
                clock.SetUtcNow(occurrences[i]);
                await clock.WaitForTimerAsync(occurrences[i + 1] - occurrences[i]); // it ran, and waits for the next one
                Assert.True(TestFunctions.TimerCalls.Reader.TryRead(out var call), $"no call at occurrence {i + 1}");
                Assert.False(TestFunctions.TimerCalls.Reader.TryRead(out _), $"more than one call at occurrence {i + 1}");
                calls.Add(call);
            }

            clock.SetUtcNow(occurrences[3] - TimeSpan.FromMilliseconds(1)); // just short of the fourth occurrence
        }
        finally
        {
            await host.StopAsync(CancellationToken.None); // returns once the schedule loop has ended
        }

        Assert.False(TestFunctions.TimerCalls.Reader.TryRead(out _), "a call before the fourth occurrence was due");
        Assert.Equal(3, calls.Count);
        for (var i = 0; i < 3; i++)
        {
            var status = calls[i].ScheduleStatus!;
            Assert.Equal((i == 0 ? start : occurrences[i - 1]).UtcDateTime, status.Last);
            Assert.Equal(occurrences[i + 1].UtcDateTime, status.Next);
            Assert.Equal(occurrences[i].UtcDateTime, status.LastUpdated);
            Assert.False(calls[i].IsPastDue);
        }
    }

    [Theory]
    [InlineData("0 0 2 * * *", "2026-11-30T01:00:00Z", "2026-11-30T02:00:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-30T01:02:00Z", "2026-11-30T01:05:00Z")]
    [InlineData("00:10:00", "2026-11-30T01:02:00Z", "2026-11-30T01:12:00Z")]
    public void Schedules_follow_ncrontab_with_seconds_or_timespan(string expression, string after, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimerSchedule.Parse(expression).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
}
