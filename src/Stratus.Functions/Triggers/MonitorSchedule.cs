using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Stratus.Core.Configuration;
using Stratus.Core.Training;
using Stratus.Functions.Orchestrations;

namespace Stratus.Functions.Triggers;

/// <summary>MonitorAll on <see cref="SettingNames.MonitorSchedule"/> (every 15 minutes by default).</summary>
public sealed partial class MonitorSchedule(TimeProvider clock, ILogger<MonitorSchedule> logger)
{
    [Function(nameof(MonitorOnSchedule))]
    public async Task MonitorOnSchedule(
        [TimerTrigger("%" + SettingNames.MonitorSchedule + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        // One id per occurrence, as for retraining: a timer firing twice for it starts one run.
        var id = RetrainSchedule.InstanceIdFor(timer, clock).Replace(TrainingRuns.RetrainPrefix, "monitor-", StringComparison.Ordinal);
        if (await durable.StartOnceAsync(MonitorAllOrchestrator.Name, new MonitorInput(id), id, cancellationToken))
        {
            LogStarted(logger, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started scheduled monitoring {InstanceId}")]
    private static partial void LogStarted(ILogger logger, string instanceId);
}
