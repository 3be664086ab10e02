using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Stratus.Core.Training;

namespace Stratus.Functions.Orchestrations;

/// <summary>Activities that start and report training runs through the Durable client (idempotent).</summary>
public sealed class RunControlActivities
{
    public const string Start = nameof(StartTrainModelActivity);
    public const string Notify = nameof(NotifyRunEndedActivity);

    /// <summary>An instance with the run's id, in any state, is never started again.</summary>
    private static readonly string[] NeverReplace = Enum.GetNames<OrchestrationRuntimeStatus>();

    [Function(Start)]
    public async Task StartTrainModelActivity([ActivityTrigger] TrainInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        if (await durable.GetInstanceAsync(input.RunId, cancellationToken) is not null)
        {
            return; // redelivered: the run already exists
        }

        try
        {
            await durable.ScheduleNewOrchestrationInstanceAsync(TrainModelOrchestrator.Name, input, new StartOrchestrationOptions(input.RunId) { DedupeStatuses = NeverReplace }, cancellationToken);
        }
        catch (Exception e) when (e.Message.Contains("already exists", StringComparison.OrdinalIgnoreCase))
        {
            // started concurrently by a redelivered copy of this activity
        }
    }

    [Function(Notify)]
    public Task NotifyRunEndedActivity([ActivityTrigger] TrainNotice notice, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken) =>
        durable.RaiseEventAsync(notice.NotifyInstanceId, TrainNotice.EventName(notice.Model), notice, cancellationToken);
}
