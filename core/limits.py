"""Every cost-bearing number's limit, in one place: widgets, URL parameters and the command line read these."""

MAX_STEPS = 20_000  # steps of one run (the source's run is 20,000)
MAX_STARTS = 40_000  # start points of one batched run (a 200 x 200 basin grid)
MAX_RECORDED = 4_000_000  # steps x start points kept as a full trajectory (about 100 MB in float32)
MAX_FRAMES = 200  # animation frames, whatever the step count
START_LIMIT = 1e4  # |x0|, |y0| of a start point
BOUND_LIMIT = 1e4  # |xmin| ... |ymax|: the view of a typed formula
SURFACE_GRID = 100  # surface and contour resolution (points per axis)
MAX_INPUTS = 64  # n, the perceptron's inputs
MAX_OUTPUTS = 16  # K, the perceptron's outputs
MAX_LAYERS = 8  # links of the chain-rule page's chain
CHAIN_VALUE_LIMIT = 100.0  # |x|, |w|, |b| on the chain-rule page
PERCEPTRON_STEPS = 200  # steps of the perceptron page's descent on w
PERCEPTRON_SEED = 2**31 - 1  # the largest seed for torch.randn on the perceptron page
MAX_GRID = 200  # basin map: points per axis (200 x 200 = 40,000 starts in one batch)
MAX_BASIN_WORK = 40_000 * 1_000  # basin map: starts x steps
SWEEP_SIZES = (20, 100)  # learning-rate sweep: fewest and most learning rates
MATRIX_TEXT_LIMIT = 20_000  # characters of a hand-edited x or w read from a link
EDIT_LIMIT = 1e3  # |x_j|, |w_kj| typed by hand on the perceptron page (sigmoid saturates long before)
FORMULA_CHARS = 300  # a typed formula's length
FORMULA_DEPTH = 40  # its nesting
FORMULA_NODES = 200  # its operations: evaluating any accepted formula costs a bounded number of tensor operations
FORMULA_EXPONENT = 10  # |exponent| of a power
RUN_SECONDS = 30.0  # one page view's compute: every run, map, sweep and replay it asks for draws from it; past it
# nothing new starts and what runs stops cleanly with the reason 'time limit' (the command line: one per command)

# What work costs, so that no control offers a setting that cannot finish within the budget. Seconds per step,
# the worst over the built-in objectives and optimizers, measured on the 2-core development machine with one torch
# thread (`python bench/bench_explore.py --costs` measures them again), rounded up by about half.
WORK_SECONDS = 20.0  # the heaviest setting a control offers must take at most this alone (2/3 of the budget)
STEP_SECONDS = 300e-6  # one step of a run, whatever its rows (measured 80-220 us)
ROW_STEP_SECONDS = 0.1e-6  # and each row of a batched run (basin maps: measured 0.036-0.066 us at 40,000 rows)
GROUP_STEP_SECONDS = 100e-6  # each parameter group of a sweep (measured 41-63 us at 100 learning rates)
LBFGS_ITERATION_SECONDS = 1e-3  # LBFGS, per row (one at a time) and per iteration of a step: up to max_iter a step
# (measured 0.28-0.87 ms with history_size 100 and tolerances 0, where every step takes every iteration)
FORMULA_FACTOR = 2.5  # a typed formula of FORMULA_CHARS characters costs this much more (measured 2.3x)

# Distances to a known minimum (not limits on cost, but one value each, used everywhere they apply)
REACHED_DISTANCE = 1e-3  # a race's end this close to a known minimum has reached it
BASIN_DISTANCE = 1e-2  # a basin map's end this close to a known minimum is in its basin

# The model's loss as the surface (core/model/): its data set, minibatches and slices of bigger models
DATA_SIZE = (4, 1_000)  # points of the data set: fewest, most (every step evaluates all of a minibatch's points)
DATA_SPREAD = (0.05, 20.0)  # the clusters' standard deviation: least, most
MAX_HIDDEN = 32  # the small MLP's hidden width (n = 64 inputs: 64 x 32 + 32 + 32 + 1 = 2,113 weights at most)
SLICE_GRID = 101  # a slice's (a, b) grid: points per axis at most
SLICE_SPAN = 100.0  # |a|, |b| of a slice's grid at most
MODEL_STEPS = 5_000  # steps of a sliced model's training run
MODEL_ELEMENTS = 4_000_000  # the perceptron's loss surface: start points x data points (padded) of one step, about
# 16 MB per intermediate tensor in float32 and 50-65 ms a step
MODEL_POINT_STEP_SECONDS = 20e-9  # and what each start x data point adds to a step (measured 10-16 ns)
MODEL_STEP_SECONDS = 10e-3  # one training step of a sliced model, at worst (measured 0.2-6.4 ms; LBFGS: per iteration)
SLICE_ACTIVATION_SECONDS = 60e-9  # a slice's grid point, per data point x hidden unit (measured 20-40 ns)
