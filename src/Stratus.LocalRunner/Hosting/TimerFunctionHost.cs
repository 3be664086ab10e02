using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// Fires timer functions on their schedules as the Functions host does: six-field NCRONTAB (with seconds)
/// or a TimeSpan, <c>%Setting%</c> names resolved from configuration, and RunOnStartup honoured.
/// </summary>
public sealed class TimerFunctionHost(FunctionCatalog catalog, IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger<TimerFunctionHost> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(catalog.Timers.Select(t => RunScheduleAsync(t, stoppingToken)));

    private async Task RunScheduleAsync(FunctionMethod function, CancellationToken stoppingToken)
    {
        var trigger = (TimerTriggerAttribute)function.Trigger;
        var schedule = TimerSchedule.Parse(ResolveSetting(trigger.Schedule));
        var invoker = new FunctionInvoker(function, p => function.IsTrigger(p) ? c => c.TriggerValue : null);
        logger.LogInformation("Timer {Function} scheduled: {Schedule}", function.Name, trigger.Schedule);
        var last = clock.GetUtcNow();
        var first = trigger.RunOnStartup;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = first ? last : schedule.Next(last);
            var delay = next - clock.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var info = new TimerInfo
            {
                IsPastDue = clock.GetUtcNow() - next > TimeSpan.FromSeconds(30),
                ScheduleStatus = new ScheduleStatus { Last = last.UtcDateTime, Next = schedule.Next(next).UtcDateTime, LastUpdated = clock.GetUtcNow().UtcDateTime },
            };
            try
            {
                using var scope = services.CreateScope();
                await invoker.InvokeAsync(new InvocationContext(scope.ServiceProvider, stoppingToken) { TriggerValue = info });
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // A failing run must not stop the schedule (or the runner); the next occurrence runs as usual.
                logger.LogError(e, "Timer {Function} failed", function.Name);
            }

            last = next;
            first = false;
        }
    }

    private string ResolveSetting(string schedule) =>
        schedule.Length > 2 && schedule[0] == '%' && schedule[^1] == '%'
            ? configuration[schedule[1..^1].Replace("__", ":", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"Timer schedule setting {schedule} is not set.")
            : schedule;
}

/// <summary>A timer schedule: NCRONTAB with seconds, or a fixed TimeSpan interval.</summary>
public abstract record TimerSchedule
{
    public abstract DateTimeOffset Next(DateTimeOffset after);

    public static TimerSchedule Parse(string expression)
    {
        if (TimeSpan.TryParse(expression, System.Globalization.CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            return new Interval(interval);
        }

        return new Cron(CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));
    }

    private sealed record Interval(TimeSpan Every) : TimerSchedule
    {
        public override DateTimeOffset Next(DateTimeOffset after) => after + Every;
    }

    private sealed record Cron(CrontabSchedule Schedule) : TimerSchedule
    {
        public override DateTimeOffset Next(DateTimeOffset after) =>
            new(DateTime.SpecifyKind(Schedule.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc));
    }
}
