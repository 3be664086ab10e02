using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Stratus.LocalRunner.Hosting;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.Integration;

public sealed class TimerHostingTests
{
    [Fact]
    public async Task Timer_functions_fire_on_their_schedule_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Test:Schedule"] = "*/1 * * * * *" }).Build();
        using var services = new ServiceCollection().BuildServiceProvider();
        var catalog = FunctionCatalog.FromAssembly(typeof(TestFunctions).Assembly);
        Assert.Equal([nameof(TestFunctions.TestEverySecond)], catalog.Timers.Select(t => t.Name));

        TestFunctions.TimerCalls.Clear();
        using var host = new TimerFunctionHost(catalog, services, configuration, TimeProvider.System, NullLogger<TimerFunctionHost>.Instance);
        await host.StartAsync(CancellationToken.None);
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (TestFunctions.TimerCalls.Count < 2)
        {
            await Task.Delay(100, wait.Token);
        }

        await host.StopAsync(CancellationToken.None);
        var calls = TestFunctions.TimerCalls.ToArray();
        Assert.True(calls[1].ScheduleStatus!.Last > calls[0].ScheduleStatus!.Last);
        Assert.Equal(calls[0].ScheduleStatus!.Next, calls[1].ScheduleStatus!.Last.AddSeconds(1)); // each call's Next is the following occurrence
    }

    [Theory]
    [InlineData("0 0 2 * * *", "2026-11-30T01:00:00Z", "2026-11-30T02:00:00Z")]
    [InlineData("0 */5 * * * *", "2026-11-30T01:02:00Z", "2026-11-30T01:05:00Z")]
    [InlineData("00:10:00", "2026-11-30T01:02:00Z", "2026-11-30T01:12:00Z")]
    public void Schedules_follow_ncrontab_with_seconds_or_timespan(string expression, string after, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TimerSchedule.Parse(expression).Next(DateTimeOffset.Parse(after, System.Globalization.CultureInfo.InvariantCulture)));
}
