using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stratus.Core.Configuration;
using Stratus.Core.Training;
using Stratus.Functions.Orchestrations;

namespace Stratus.Functions.Triggers;

/// <summary>Scheduled retraining of every due model (<see cref="SettingNames.RetrainSchedule"/>, nightly by default).</summary>
public sealed class RetrainSchedule(IOptions<StratusOptions> options, ILogger<RetrainSchedule> logger)
{
    [Function(nameof(RetrainOnSchedule))]
    public async Task RetrainOnSchedule(
        [TimerTrigger("%" + SettingNames.RetrainSchedule + "%")] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        CancellationToken cancellationToken)
    {
        // One id per schedule occurrence: a timer that fires twice for it (two instances, a retry) starts one run.
        var id = InstanceIdFor(timer);
        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(
                RetrainAllOrchestrator.Name,
                new RetrainInput(id, options.Value.Retraining.MaxParallelism),
                new StartOrchestrationOptions(id) { DedupeStatuses = NeverReplace },
                cancellationToken);
            logger.LogInformation("Started scheduled retraining {InstanceId}", id);
        }
        catch (Exception e) when (IsAlreadyStarted(e))
        {
            logger.LogInformation("Scheduled retraining {InstanceId} was already started", id);
        }
    }

    /// <summary>An instance with this id, whatever its state, is never replaced by a second start.</summary>
    private static readonly string[] NeverReplace = Enum.GetNames<OrchestrationRuntimeStatus>();

    /// <summary>Named after the occurrence's successor, which every firing of the same occurrence agrees on.</summary>
    public static string InstanceIdFor(TimerInfo timer) =>
        timer.ScheduleStatus?.Next is { } next
            ? "retrain-before-" + next.ToUniversalTime().ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture)
            : "retrain-at-" + DateTime.UtcNow.ToString("yyyyMMddTHHmm", System.Globalization.CultureInfo.InvariantCulture); // no schedule monitor: dedupe within the minute

    private static bool IsAlreadyStarted(Exception e) =>
        e is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.AlreadyExists }
        || e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase);
}
