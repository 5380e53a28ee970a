# Descent Lab: Streamlit + CPU torch, as a non-root user, with a health check on /_stcore/health.
FROM python:3.11-slim

# torch==2.13.0 from the default index is a multi-GB CUDA build on Linux x86_64: pass the PyTorch CPU wheel
# index as TORCH_INDEX_URL to get the CPU build (see README, "Hosting").
ARG TORCH_INDEX_URL=""
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 1000 app
WORKDIR /app

# g++ lets torch.compile build f and its gradient (core/run/compiled.py): about half the time a step, the same
# numbers (python bench/bench_descent.py: the class scenarios lrs and mixed get faster). Without it every run is
# eager. It adds about 220 MB (Debian's g++-12 and its dependencies) to a torch image of over 1 GB.
RUN apt-get update && apt-get install -y --no-install-recommends g++ && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN if [ -n "$TORCH_INDEX_URL" ]; then pip install --index-url "$TORCH_INDEX_URL" torch==2.13.0; fi \
    && pip install -r requirements.txt

COPY --chown=app:app app.py ./
COPY --chown=app:app .streamlit ./.streamlit
COPY --chown=app:app core ./core
COPY --chown=app:app ui ./ui
COPY --chown=app:app viz ./viz
COPY --chown=app:app pages ./pages
COPY --chown=app:app locales ./locales
# Plotly.js for the browser, copied from the installed plotly package into static/ (served at /app/static/)
RUN python -c "from ui.instrument import plotly_file; plotly_file()" && chown -R app:app static

USER app
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
