using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Stratus.Core.Models;

namespace Stratus.Training.Algorithms;

/// <summary>
/// The trainers Stratus offers per task, their tunable parameters (with defaults and bounds) and how each
/// becomes an ML.NET estimator. Every trainer runs single-threaded with the run's seed, so the
/// deterministic ones (FastTree, LightGBM, SDCA, L-BFGS on the same data order) reproduce bit for bit.
/// </summary>
public static class AlgorithmCatalog
{
    public const string LightGbm = "lightgbm";
    public const string FastTree = "fasttree";
    public const string Sdca = "sdca";
    public const string Lbfgs = "lbfgs";

    public sealed record Parameter(string Name, double Default, double Min, double Max, bool Integer);

    public sealed record Algorithm(string Name, IReadOnlyList<ModelTask> Tasks, IReadOnlyList<Parameter> Parameters, string Description);

    private static readonly Parameter Leaves = new("numberOfLeaves", 16, 2, 1024, true);
    private static readonly Parameter LearningRate = new("learningRate", 0.1, 1e-4, 1, false);
    private static readonly Parameter MinLeaf = new("minimumExampleCountPerLeaf", 10, 1, 10_000, true);
    private static readonly Parameter L2 = new("l2Regularization", 0.01, 0, 100, false);
    private static readonly Parameter L1 = new("l1Regularization", 0, 0, 100, false);

    public static IReadOnlyList<Algorithm> All { get; } =
    [
        new(LightGbm, [ModelTask.BinaryClassification, ModelTask.MulticlassClassification, ModelTask.Regression],
            [Leaves, LearningRate, new("numberOfIterations", 100, 1, 10_000, true), MinLeaf], "LightGBM gradient-boosted trees"),
        new(FastTree, [ModelTask.BinaryClassification, ModelTask.Regression],
            [Leaves, LearningRate, new("numberOfTrees", 100, 1, 10_000, true), MinLeaf], "FastTree (MART) gradient-boosted trees"),
        new(Sdca, [ModelTask.BinaryClassification, ModelTask.MulticlassClassification, ModelTask.Regression],
            [L2, L1, new("maximumNumberOfIterations", 100, 1, 10_000, true)], "SDCA: logistic regression (binary), maximum entropy (multiclass), linear regression"),
        new(Lbfgs, [ModelTask.BinaryClassification, ModelTask.MulticlassClassification],
            [L2, L1, new("optimizationTolerance", 1e-7, 1e-12, 1e-1, false)], "L-BFGS: logistic regression (binary), maximum entropy (multiclass)"),
    ];

    public static Algorithm? Find(string name) => All.FirstOrDefault(a => a.Name == name);

    /// <summary>Default candidates when the request names none.</summary>
    public static IReadOnlyList<string> DefaultsFor(ModelTask task) => task switch
    {
        ModelTask.MulticlassClassification => [LightGbm, Lbfgs],
        ModelTask.Regression => [LightGbm, FastTree],
        _ => [LightGbm, FastTree, Lbfgs],
    };

    /// <summary>The ML.NET trainer for a candidate, reading features from <paramref name="features"/> and the label from <paramref name="label"/>.</summary>
    public static IEstimator<ITransformer> Create(MLContext ml, ModelTask task, string algorithm, IReadOnlyDictionary<string, double> p, string label, string features, int seed)
    {
        int I(string name) => (int)p[name];
        float F(string name) => (float)p[name];
        return (task, algorithm) switch
        {
            (ModelTask.BinaryClassification, LightGbm) => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("numberOfLeaves"), LearningRate = p["learningRate"],
                NumberOfIterations = I("numberOfIterations"), MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf"),
                Seed = seed, Deterministic = true, NumberOfThreads = 1, Silent = true, Verbose = false,
            }),
            (ModelTask.MulticlassClassification, LightGbm) => ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("numberOfLeaves"), LearningRate = p["learningRate"],
                NumberOfIterations = I("numberOfIterations"), MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf"),
                Seed = seed, Deterministic = true, NumberOfThreads = 1, Silent = true, Verbose = false,
            }),
            (ModelTask.Regression, LightGbm) => ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("numberOfLeaves"), LearningRate = p["learningRate"],
                NumberOfIterations = I("numberOfIterations"), MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf"),
                Seed = seed, Deterministic = true, NumberOfThreads = 1, Silent = true, Verbose = false,
            }),
            (ModelTask.BinaryClassification, FastTree) => ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("numberOfLeaves"), LearningRate = p["learningRate"],
                NumberOfTrees = I("numberOfTrees"), MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf"), Seed = seed, NumberOfThreads = 1,
            }),
            (ModelTask.Regression, FastTree) => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, NumberOfLeaves = I("numberOfLeaves"), LearningRate = p["learningRate"],
                NumberOfTrees = I("numberOfTrees"), MinimumExampleCountPerLeaf = I("minimumExampleCountPerLeaf"), Seed = seed, NumberOfThreads = 1,
            }),
            (ModelTask.BinaryClassification, Sdca) => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2Regularization"), L1Regularization = F("l1Regularization"),
                MaximumNumberOfIterations = I("maximumNumberOfIterations"), NumberOfThreads = 1, Shuffle = false,
            }),
            (ModelTask.MulticlassClassification, Sdca) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2Regularization"), L1Regularization = F("l1Regularization"),
                MaximumNumberOfIterations = I("maximumNumberOfIterations"), NumberOfThreads = 1, Shuffle = false,
            }),
            (ModelTask.Regression, Sdca) => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2Regularization"), L1Regularization = F("l1Regularization"),
                MaximumNumberOfIterations = I("maximumNumberOfIterations"), NumberOfThreads = 1, Shuffle = false,
            }),
            (ModelTask.BinaryClassification, Lbfgs) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2Regularization"), L1Regularization = F("l1Regularization"),
                OptimizationTolerance = F("optimizationTolerance"), NumberOfThreads = 1,
            }),
            (ModelTask.MulticlassClassification, Lbfgs) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            {
                LabelColumnName = label, FeatureColumnName = features, L2Regularization = F("l2Regularization"), L1Regularization = F("l1Regularization"),
                OptimizationTolerance = F("optimizationTolerance"), NumberOfThreads = 1,
            }),
            _ => throw new ArgumentException($"Algorithm '{algorithm}' does not support {task}."),
        };
    }
}
