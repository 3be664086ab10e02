using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Training;
using Stratus.Functions.Orchestrations;

namespace Stratus.Functions.Triggers;

/// <summary>Scheduled retraining of every due model (<see cref="SettingNames.RetrainSchedule"/>, nightly by default).</summary>
public sealed partial class RetrainSchedule(IOptions<StratusOptions> options, TimeProvider clock, ILogger<RetrainSchedule> logger)
{
    [Function(nameof(RetrainOnSchedule))]
    public async Task RetrainOnSchedule(
        [TimerTrigger("%" + SettingNames.RetrainSchedule + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        // One id per schedule occurrence: a timer that fires twice for it (two instances, a retry) starts one run.
        var id = InstanceIdFor(timer, clock);
        if (await durable.StartOnceAsync(RetrainAllOrchestrator.Name, new RetrainInput(id, options.Value.Retraining.MaxParallelism), id, cancellationToken))
        {
            LogStarted(logger, id);
        }
        else
        {
            LogAlreadyStarted(logger, id);
        }
    }

    /// <summary>Named after the occurrence's successor, which every firing of the same occurrence agrees on.</summary>
    public static string InstanceIdFor(TimerInfo timer, TimeProvider clock) =>
        timer.ScheduleStatus?.Next is { } next
            ? TrainingRuns.RetrainPrefix + "before-" + next.ToUniversalTime().ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture)
            : TrainingRuns.RetrainPrefix + "at-" + clock.GetUtcNow().ToString("yyyyMMddTHHmm", System.Globalization.CultureInfo.InvariantCulture); // no schedule monitor: dedupe within the minute

    [LoggerMessage(Level = LogLevel.Information, Message = "Started scheduled retraining {InstanceId}")]
    private static partial void LogStarted(ILogger logger, string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled retraining {InstanceId} was already started")]
    private static partial void LogAlreadyStarted(ILogger logger, string instanceId);
}
